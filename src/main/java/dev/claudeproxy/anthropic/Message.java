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

    /**
     * A hash of the id alone, consistent with the record's equality. JSON-B's writer puts every
     * object it writes in a hash set (its recursion check), and a record's own hash walks its whole
     * tree: every answer's content, each tool call's input included, and the message again in
     * {@code message_start}. The answer's records that hold trees hash a small part of themselves.
     */
    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(id);
    }
}
