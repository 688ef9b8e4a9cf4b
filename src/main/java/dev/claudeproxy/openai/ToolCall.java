package dev.claudeproxy.openai;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * A tool call: whole in requests and non-streamed answers, a fragment in stream deltas (where
 * {@code index} places it and every other field may be missing).
 */
@JsonbPropertyOrder({"index", "id", "type", "function"})
public record ToolCall(Integer index, String id, String type, FunctionCall function) {

    /** A whole call, as sent in a request's assistant message (a second constructor would confuse JSON-B). */
    public static ToolCall of(String id, FunctionCall function) {
        return new ToolCall(null, id, "function", function);
    }

    /** {@code arguments} is JSON text, or a fragment of it in a stream. */
    public record FunctionCall(String name, String arguments) {
    }
}
