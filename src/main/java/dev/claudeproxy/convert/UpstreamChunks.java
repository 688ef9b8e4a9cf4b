package dev.claudeproxy.convert;

import dev.claudeproxy.error.UpstreamErrors;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.sse.SseEvent;
import jakarta.json.bind.JsonbException;
import java.util.Optional;

/** Reads one upstream stream event as the chat completion chunk it carries. */
public final class UpstreamChunks {

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
                    jakarta.json.Json.createValue(UpstreamErrors.messageOf(event.data()))));
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
}
