package dev.claudeproxy.openai;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * A tool call: whole in requests and non-streamed answers, a fragment in stream deltas (where
 * {@code index} places it and every other field may be missing).
 */
@JsonbPropertyOrder({"index", "id", "type", "function"})
public record ToolCall(Integer index, String id, String type, FunctionCall function) {

    public ToolCall(String id, FunctionCall function) {
        this(null, id, "function", function);
    }

    /** {@code arguments} is JSON text, or a fragment of it in a stream. */
    public record FunctionCall(String name, String arguments) {
    }
}
