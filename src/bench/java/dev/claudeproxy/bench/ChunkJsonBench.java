package dev.claudeproxy.bench;

import dev.claudeproxy.anthropic.StreamEvent.ContentBlockDelta;
import dev.claudeproxy.anthropic.StreamEvent.TextDelta;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.openai.ChatCompletionReader;
import jakarta.json.JsonObject;
import jakarta.json.JsonReaderFactory;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.io.StringWriter;
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
 * The per-chunk JSON work of a stream, JSON-B against JSON-P (issue 14): reading one upstream
 * chunk, and writing one {@code content_block_delta} event.
 *
 * <ul>
 *   <li>{@code read*}: a typical text chunk, bound by JSON-B into the gateway's
 *       {@link ChatCompletion} (what the gateway did), read into the same records by
 *       {@link ChatCompletionReader} (what it does), read by JSON-P into a tree, and only walked
 *       by JSON-P's streaming parser: the last is the floor under any JSON-P reader of the same
 *       text.
 *   <li>{@code write*}: the event written by JSON-B, by JSON-P's generator field by field, and
 *       by {@code EventJson} (what the gateway does: the fields into one string, the text escaped
 *       as the generator escapes it).
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChunkJsonBench {

    private static final String CHUNK = "{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1760000000,\"model\":\"gpt-4.1-2025-04-14\",\"system_fingerprint\":\"fp_5d58a6052a\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" the quick brown fox\"},\"logprobs\":null,"
            + "\"finish_reason\":null}]}";

    private static final dev.claudeproxy.anthropic.StreamEvent.MessageDelta MESSAGE_DELTA =
            new dev.claudeproxy.anthropic.StreamEvent.MessageDelta(
                    new dev.claudeproxy.anthropic.StreamEvent.StopInfo("end_turn", null),
                    new dev.claudeproxy.anthropic.Usage(1_234, 321, 0, 56_789));

    private JsonReaderFactory readers;
    private JsonParserFactory parsers;
    private JsonGeneratorFactory generators;
    private ContentBlockDelta event;

    @Setup
    public void setUp() {
        readers = Json.JSON_P.createReaderFactory(Map.of());
        parsers = Json.JSON_P.createParserFactory(Map.of());
        generators = Json.JSON_P.createGeneratorFactory(Map.of());
        event = new ContentBlockDelta(0, new TextDelta(" the quick brown fox"));
    }

    @Benchmark
    public ChatCompletion readJsonbBinding() {
        return dev.claudeproxy.json.BindingOracle.read(CHUNK, ChatCompletion.class);
    }

    /** What the gateway does now: {@link ChatCompletionReader}, JSON-P's streaming parser into the same records. */
    @Benchmark
    public ChatCompletion readStreamingReader() {
        return ChatCompletionReader.read(CHUNK);
    }

    @Benchmark
    public JsonObject readJsonpTree() {
        try (jakarta.json.JsonReader reader = readers.createReader(new StringReader(CHUNK))) {
            return reader.readObject();
        }
    }

    @Benchmark
    public int readJsonpStreamingWalk() {
        int events = 0;
        try (JsonParser parser = parsers.createParser(new StringReader(CHUNK))) {
            while (parser.hasNext()) {
                JsonParser.Event next = parser.next();
                if (next == JsonParser.Event.VALUE_STRING) {
                    events += parser.getString().length();
                }
                events++;
            }
        }
        return events;
    }

    /** What the gateway does now: {@link dev.claudeproxy.anthropic.EventJson}, the delta's fields into one string. */
    @Benchmark
    public String writeEventJson() {
        return dev.claudeproxy.anthropic.EventJson.of(event);
    }

    /** The stream's message_delta, once a stream: by {@code EventJson} and by the binding. */
    @Benchmark
    public String writeMessageDeltaEventJson() {
        return dev.claudeproxy.anthropic.EventJson.of(MESSAGE_DELTA);
    }

    @Benchmark
    public String writeMessageDeltaBinding() {
        return Json.write(MESSAGE_DELTA);
    }

    @Benchmark
    public String writeJsonbBinding() {
        return Json.write(event);
    }

    @Benchmark
    public String writeJsonpGenerator() {
        StringWriter out = new StringWriter(96);
        try (JsonGenerator generator = generators.createGenerator(out)) {
            generator.writeStartObject()
                    .write("type", event.type())
                    .write("index", event.index())
                    .writeStartObject("delta")
                    .write("type", event.delta().type())
                    .write("text", ((TextDelta) event.delta()).text())
                    .writeEnd()
                    .writeEnd();
        }
        return out.toString();
    }
}
