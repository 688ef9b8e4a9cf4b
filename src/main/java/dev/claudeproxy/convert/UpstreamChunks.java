package dev.claudeproxy.convert;

import dev.claudeproxy.error.UpstreamErrors;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.sse.SseEvent;
import jakarta.json.bind.JsonbException;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.sse.SseReader;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/** Reads an upstream's stream events as the chat completion chunks they carry. */
public final class UpstreamChunks {

    private static final Logger LOG = Logger.getLogger(UpstreamChunks.class.getName());

    private UpstreamChunks() {
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
            return Optional.ofNullable(Json.read(event.data(), ChatCompletion.class));
        } catch (JsonbException notAChunk) {
            return Optional.empty();
        }
    }

    /**
     * Converts a whole upstream stream: each chunk's events go to {@code sink} as soon as they are
     * made, until {@code [DONE]}, the converter's own end (an upstream error), or the end of input,
     * after which the closing events follow. Events that carry no chunk are skipped.
     *
     * @throws IOException when reading the upstream fails
     */
    public static void pump(SseReader upstream, StreamConverter converter, Consumer<List<StreamEvent>> sink)
            throws IOException {
        boolean sawDone = false;
        for (SseEvent event = upstream.next(); event != null; event = upstream.next()) {
            if (event.data().equals("[DONE]")) {
                sawDone = true;
                break;
            }
            Optional<ChatCompletion> chunk = parse(event);
            if (chunk.isPresent()) {
                sink.accept(converter.onChunk(chunk.get()));
            } else if (!event.data().isBlank()) {
                LOG.warning("skipped an upstream stream event that is not a chat completion chunk");
            }
            if (converter.ended()) {
                return;
            }
        }
        sink.accept(converter.onEnd(sawDone));
    }
}
