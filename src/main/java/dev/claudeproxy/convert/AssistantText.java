package dev.claudeproxy.convert;

import dev.claudeproxy.openai.ChatCompletion.Delta;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/** The visible text of an assistant message or delta: string content, text parts of array content, refusal. */
final class AssistantText {

    private AssistantText() {
    }

    static String of(Delta delta) {
        StringBuilder text = new StringBuilder();
        JsonValue content = delta.content();
        if (content instanceof JsonString string) {
            text.append(string.getString());
        } else if (content != null && content.getValueType() == JsonValue.ValueType.ARRAY) {
            // Magistral streams an array of parts; its "thinking" parts are not visible text.
            for (JsonValue part : content.asJsonArray()) {
                if (part instanceof JsonObject object && "text".equals(object.getString("type", ""))
                        && object.get("text") instanceof JsonString partText) {
                    text.append(partText.getString());
                }
            }
        }
        if (delta.refusal() != null) {
            text.append(delta.refusal());
        }
        return text.toString();
    }

    /**
     * The reasoning in a message or delta: {@code reasoning_content} (DeepSeek, vLLM, xAI),
     * {@code reasoning} (OpenRouter, Ollama, Groq, newer vLLM), or Magistral's thinking parts.
     */
    static String reasoning(Delta delta) {
        if (delta.reasoningContent() != null && !delta.reasoningContent().isEmpty()) {
            return delta.reasoningContent();
        }
        if (delta.reasoning() != null && !delta.reasoning().isEmpty()) {
            return delta.reasoning();
        }
        StringBuilder thinking = new StringBuilder();
        JsonValue content = delta.content();
        if (content != null && content.getValueType() == JsonValue.ValueType.ARRAY) {
            for (JsonValue part : content.asJsonArray()) {
                if (part instanceof JsonObject object && "thinking".equals(object.getString("type", ""))) {
                    JsonValue inner = object.get("thinking");
                    if (inner instanceof JsonString text) {
                        thinking.append(text.getString());
                    } else if (inner != null && inner.getValueType() == JsonValue.ValueType.ARRAY) {
                        for (JsonValue piece : inner.asJsonArray()) {
                            if (piece instanceof JsonObject pieceObject && pieceObject.get("text") instanceof JsonString text) {
                                thinking.append(text.getString());
                            }
                        }
                    }
                }
            }
        }
        return thinking.toString();
    }
}
