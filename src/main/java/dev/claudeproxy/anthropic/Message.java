package dev.claudeproxy.anthropic;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/** The Anthropic {@code message} object: a whole non-streamed answer, or the shell in {@code message_start}. */
@JsonbPropertyOrder({"id", "type", "role", "model", "content", "stopReason", "stopSequence", "usage"})
public record Message(
        String id,
        String type,
        String role,
        String model,
        List<ContentBlock> content,
        @JsonbNillable String stopReason,
        @JsonbNillable String stopSequence,
        Usage usage) {

    public Message(String id, String model, List<ContentBlock> content, String stopReason, Usage usage) {
        this(id, "message", "assistant", model, content, stopReason, null, usage);
    }

    public Message(String id, String model, List<ContentBlock> content, String stopReason, String stopSequence,
                   Usage usage) {
        this(id, "message", "assistant", model, content, stopReason, stopSequence, usage);
    }
}
