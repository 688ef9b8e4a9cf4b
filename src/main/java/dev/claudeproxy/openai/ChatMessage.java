package dev.claudeproxy.openai;

import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.json.bind.annotation.JsonbTransient;
import jakarta.json.bind.annotation.JsonbTypeAdapter;
import java.util.List;

/**
 * A message of a Chat Completions request.
 *
 * @param content a string, an array of content parts, or JSON null (assistant turns with only tool calls)
 * @param reasoningContent the assistant's earlier reasoning, for upstreams that want it back (DeepSeek)
 * @param encryptedReasoning the assistant's earlier reasoning as a Responses API upstream encrypted
 *     it, to be given back to it as reasoning items; never part of a Chat Completions body
 */
@JsonbPropertyOrder({"role", "content", "reasoningContent", "toolCalls", "toolCallId"})
public record ChatMessage(@JsonbTypeAdapter(ChatRole.Wire.class) ChatRole role, JsonValue content, List<ToolCall> toolCalls, String toolCallId,
                          String reasoningContent, @JsonbTransient List<String> encryptedReasoning) {
    /** A hash of the role alone, for the reason {@link ChatRequest#hashCode()} gives. */
    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(role);
    }

    public ChatMessage(ChatRole role, JsonValue content, List<ToolCall> toolCalls, String toolCallId) {
        this(role, content, toolCalls, toolCallId, null, null);
    }

    public ChatMessage(ChatRole role, JsonValue content, List<ToolCall> toolCalls, String toolCallId, String reasoningContent) {
        this(role, content, toolCalls, toolCallId, reasoningContent, null);
    }
}
