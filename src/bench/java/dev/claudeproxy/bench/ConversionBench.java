package dev.claudeproxy.bench;

import dev.claudeproxy.convert.StopSequences;
import dev.claudeproxy.convert.Attribution;
import dev.claudeproxy.anthropic.EventJson;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.convert.RequestConverter;
import dev.claudeproxy.convert.StreamConverter;
import dev.claudeproxy.provider.Target;
import dev.claudeproxy.provider.ThinkingSigner;
import dev.claudeproxy.convert.TokenCounter;
import dev.claudeproxy.convert.UpstreamChunks;
import dev.claudeproxy.convert.UsageEstimate;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.sse.SseParser;
import dev.claudeproxy.sse.SseWriter;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.spi.JsonProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The gateway's own work per request and per streamed chunk, each beside a baseline measured in the
 * same run: what the cheapest handling of the same bytes costs.
 *
 * <ul>
 *   <li>{@code request*}: a Claude Code request (the first turn of the captured interactive session,
 *       system prompt, tools and all) read and converted to Chat Completions JSON, against only
 *       parsing it with JSON-P;
 *   <li>{@code stream*}: a 50-chunk upstream text stream read, converted and written as Anthropic
 *       SSE, against copying its bytes (what a byte-copying reverse proxy does per stream).
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConversionBench {

    private static final ThinkingSigner SIGNATURES = new ThinkingSigner(
            "benchmark-secret-0123456789".getBytes(StandardCharsets.UTF_8));

    private byte[] requestBody;
    private MessagesRequest firstTurn;
    private byte[] upstreamStream;
    private MessagesRequest streamRequest;
    private Target target;
    /** Looked up once, as the gateway does: the static factories would scan the classpath on every call. */
    private JsonReaderFactory readers;

    @Setup
    public void load() throws IOException {
        readers = JsonProvider.provider().createReaderFactory(Map.of());
        requestBody = firstTurnRequest();
        firstTurn = MessagesRequestReader.read(requestBody);
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 49; i++) {
            stream.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,"
                    + "\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word").append(i)
                    .append(" \"},\"finish_reason\":null}]}\n\n");
        }
        stream.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,"
                + "\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":49}}\n\ndata: [DONE]\n\n");
        upstreamStream = stream.toString().getBytes(StandardCharsets.UTF_8);
        streamRequest = MessagesRequestReader.read(("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,"
                + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8));
        target = new Target("gpt-4.1", "api.openai.com", Profile.GENERIC, 32768, SIGNATURES, true);
    }

    /** The largest request of the captured first turn: the one with the system prompt and the tools. */
    private static byte[] firstTurnRequest() throws IOException {
        try (InputStream in = ConversionBench.class.getResourceAsStream("/captures/cli-interactive-first-turn.jsonl");
             JsonReader reader = jakarta.json.Json.createReader(new StringReader(
                     new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(line -> line.contains(
                             "\"url\":\"") && line.contains("/v1/messages?")).max(Comparator.comparingInt(String::length)).orElseThrow()))) {
            return reader.readObject().getJsonObject("body").toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    @Benchmark
    public Object requestBaselineParseOnly() {
        try (JsonReader reader = readers.createReader(new ByteArrayInputStream(requestBody))) {
            return reader.readObject();
        }
    }

    @Benchmark
    public String requestConversion() {
        return Json.write(RequestConverter.toChatRequest(MessagesRequestReader.read(requestBody), target,
                Attribution.NONE));
    }

    /**
     * A stream's {@code message_start} input estimate (issue 15): the first-turn request's input
     * tokens counted as {@code count_tokens} counts them, once per streamed request.
     */
    @Benchmark
    public int inputEstimate() {
        return TokenCounter.countInput(firstTurn, "gpt-4.1");
    }

    @Benchmark
    public byte[] streamBaselineByteCopy() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(upstreamStream.length);
        new ByteArrayInputStream(upstreamStream).transferTo(out);
        return out.toByteArray();
    }

    @Benchmark
    public byte[] streamConversion() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(upstreamStream.length);
        SseWriter writer = new SseWriter(out);
        StreamConverter converter = new StreamConverter(streamRequest.model(),
                StopSequences.of(streamRequest.stopSequences(), target), target,
                new UsageEstimate(streamRequest, "gpt-4.1"), SseParser.DEFAULT_MAX_EVENT_BYTES);
        write(writer, converter.start());
        UpstreamChunks.convertAll(upstreamStream, converter, SseParser.DEFAULT_MAX_EVENT_BYTES, events -> {
            try {
                write(writer, events);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return out.toByteArray();
    }

    private static void write(SseWriter writer, List<StreamEvent> events) throws IOException {
        for (StreamEvent event : events) {
            writer.write(event.type(), EventJson.of(event));
        }
        writer.flush();
    }
}
