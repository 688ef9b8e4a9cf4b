package dev.claudeproxy.openai;

import jakarta.json.JsonValue;
import java.util.List;

/**
 * A Chat Completions answer: a whole {@code chat.completion} or one {@code chat.completion.chunk}
 * of a stream (same shape; a choice carries {@code message} in the first, {@code delta} in the
 * second). Any field may be missing or null. {@code error} is set on mid-stream provider errors.
 */
public record ChatCompletion(String id, String model, List<Choice> choices, CompletionUsage usage, JsonValue error) {

    /**
     * @param stopReason vLLM's matched stop string (or token id)
     * @param matchedStop SGLang's matched stop string
     */
    public record Choice(Integer index, Delta message, Delta delta, String finishReason,
                         JsonValue stopReason, JsonValue matchedStop) {
    }

    /**
     * The assistant's output, whole or as a stream delta.
     *
     * @param content a string, or an array of parts (Mistral's Magistral), or null
     */
    public record Delta(String role, JsonValue content, String refusal, List<ToolCall> toolCalls,
                        String reasoningContent, String reasoning) {
    }
}
