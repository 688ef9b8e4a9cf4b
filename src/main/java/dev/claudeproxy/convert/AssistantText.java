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
}
