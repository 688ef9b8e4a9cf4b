package dev.claudeproxy.openai;

import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.json.bind.annotation.JsonbTypeAdapter;
import java.util.List;

/**
 * A message of a Chat Completions request.
 *
 * @param content a string, an array of content parts, or JSON null (assistant turns with only tool calls)
 * @param reasoningContent the assistant's earlier reasoning, for upstreams that want it back (DeepSeek)
 */
@JsonbPropertyOrder({"role", "content", "reasoningContent", "toolCalls", "toolCallId"})
public record ChatMessage(@JsonbTypeAdapter(ChatRole.Wire.class) ChatRole role, JsonValue content, List<ToolCall> toolCalls, String toolCallId,
                          String reasoningContent) {

    public ChatMessage(ChatRole role, JsonValue content, List<ToolCall> toolCalls, String toolCallId) {
        this(role, content, toolCalls, toolCallId, null);
    }
}
