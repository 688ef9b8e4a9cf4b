package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.ContentBlock;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.error.UpstreamErrors;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.openai.ChatCompletionReader;
import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.sse.EventTooLargeException;
import dev.claudeproxy.sse.SseEvent;
import dev.claudeproxy.sse.SseParser;
import jakarta.json.JsonException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * An upstream's stream events as the chat completion chunks they carry (a Responses API stream's
 * through {@link ResponsesEvents}, whose terminal event ends it), fed to one
 * {@link StreamConverter}: {@code [DONE]} ends the stream, an {@code event: error} becomes an
 * error, events that carry no chunk are skipped. Pushed event by event; knows nothing of where the
 * bytes come from. Single use, not thread-safe.
 */
public final class UpstreamChunks {

    private static final Logger LOG = Logger.getLogger(UpstreamChunks.class.getName());

    private final StreamConverter converter;
    private final Consumer<List<StreamEvent>> sink;
    /** The Responses API's events as chunks; null for a Chat Completions stream. */
    private final ResponsesEvents responses;
    private boolean over;

    /** @param sink receives the Anthropic events each upstream event makes, as they are made */
    public UpstreamChunks(StreamConverter converter, Consumer<List<StreamEvent>> sink) {
        this(converter, Dialect.CHAT_COMPLETIONS, sink);
    }

    /** @param dialect the API whose stream this is */
    public UpstreamChunks(StreamConverter converter, Dialect dialect, Consumer<List<StreamEvent>> sink) {
        this.converter = converter;
        this.sink = sink;
        this.responses = dialect == Dialect.RESPONSES ? new ResponsesEvents() : null;
    }

    /**
     * @return the event's chunk; for an {@code event: error}, a chunk holding that error; empty for
     *     an event with no data or with data that is not a chunk (skipped: some upstreams send comments
     *     or their own bookkeeping as events)
     */
    public static Optional<ChatCompletion> parse(SseEvent event) {
        if ("error".equals(event.event())) {
            return Optional.of(new ChatCompletion(null, null, null, null,
                    Json.JSON_P.createValue(UpstreamErrors.describe(event.data(), "error event"))));
        }
        if (event.data().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(ChatCompletionReader.read(event.data()));
        } catch (JsonException notAChunk) {
            return Optional.empty();
        }
    }

    /** One upstream event: its Anthropic events go to the sink. Events after the end are ignored. */
    public void accept(SseEvent event) {
        if (over) {
            return;
        }
        if (responses != null) {
            responses.chunk(event).ifPresent(chunk -> sink.accept(converter.onChunk(chunk)));
            responses.takeCarried().ifPresent(carried -> sink.accept(converter.carryReasoning(carried)));
            responses.takeSearch().ifPresent(search -> sink.accept(converter.webSearch(search)));
            List<ContentBlock.WebSearchCitation> citations = responses.takeCitations();
            if (!citations.isEmpty()) {
                sink.accept(converter.cite(citations));
            }
            over = converter.ended();
            if (responses.over()) {
                end(true);
            }
            return;
        }
        if (event.data().equals("[DONE]")) {
            end(true);
            return;
        }
        Optional<ChatCompletion> chunk = parse(event);
        if (chunk.isPresent()) {
            sink.accept(converter.onChunk(chunk.get()));
            over = converter.ended();
        } else if (!event.data().isBlank()) {
            LOG.warning("skipped an upstream stream event that is not a chat completion chunk");
        }
    }

    /**
     * The upstream's stream is over: its closing events go to the sink (an error event when it was
     * cut off without a finish reason or {@code [DONE]}).
     *
     * @param sawDone whether {@code data: [DONE]} arrived
     */
    public void end(boolean sawDone) {
        if (!over) {
            over = true;
            sink.accept(converter.onEnd(sawDone));
        }
    }

    /** Whether the stream has ended ({@code [DONE]}, the upstream's end, or an error). */
    public boolean over() {
        return over;
    }

    /**
     * Converts a whole upstream stream held in memory (a stream answering a request that asked for
     * none; tests, fuzzing, benchmarks) with a started converter: every event, then the end. A line or event past {@code maxEventBytes} ends it with an error event.
     */
    public static void convertAll(byte[] upstream, StreamConverter converter, int maxEventBytes,
                                  Consumer<List<StreamEvent>> sink) {
        convertAll(upstream, converter, Dialect.CHAT_COMPLETIONS, maxEventBytes, sink);
    }

    /** {@link #convertAll(byte[], StreamConverter, int, Consumer)} for a stream of {@code dialect}. */
    public static void convertAll(byte[] upstream, StreamConverter converter, Dialect dialect, int maxEventBytes,
                                  Consumer<List<StreamEvent>> sink) {
        UpstreamChunks chunks = new UpstreamChunks(converter, dialect, sink);
        SseParser parser = new SseParser(maxEventBytes);
        try {
            parser.feed(ByteBuffer.wrap(upstream), chunks::accept);
            parser.finish(chunks::accept);
        } catch (EventTooLargeException e) {
            if (!chunks.over()) {
                chunks.over = true;
                sink.accept(List.of(new StreamEvent.ErrorEvent("api_error", e.getMessage())));
            }
            return;
        }
        chunks.end(false);
    }
}
