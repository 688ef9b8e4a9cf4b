package dev.claudeproxy.openai;

import jakarta.json.JsonObject;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * A tool call: whole in requests and non-streamed answers, a fragment in stream deltas (where
 * {@code index} places it and every other field may be missing).
 *
 * @param extraContent provider extras; Gemini 3 puts each call's {@code google.thought_signature} here
 */
@JsonbPropertyOrder({"index", "id", "type", "function", "extraContent"})
public record ToolCall(Integer index, String id, String type, FunctionCall function, JsonObject extraContent) {

    /** A whole call, as sent in a request's assistant message (a second constructor would confuse JSON-B). */
    public static ToolCall of(String id, FunctionCall function) {
        return new ToolCall(null, id, "function", function, null);
    }

    /** The same call with provider extras ({@code extra_content}: Gemini's {@code google.thought_signature}). */
    public ToolCall withExtraContent(JsonObject extra) {
        return new ToolCall(index, id, type, function, extra);
    }

    /** {@code arguments} is JSON text, or a fragment of it in a stream. */
    public record FunctionCall(String name, String arguments) {
    }
}
