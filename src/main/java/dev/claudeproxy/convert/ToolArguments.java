package dev.claudeproxy.convert;

import static dev.claudeproxy.json.Json.JSON_P;

import dev.claudeproxy.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.logging.Logger;

/**
 * Turns an upstream's tool-call {@code arguments} text into the JSON object Anthropic's
 * {@code tool_use.input} must be. Empty arguments are {@code {}}; a JSON value that is not an
 * object is kept under {@code value}; text that is not JSON at all (a model's broken output) is
 * kept under {@code _raw}, so the tool fails visibly instead of the whole answer.
 */
public final class ToolArguments {

    private static final Logger LOG = Logger.getLogger(ToolArguments.class.getName());

    private ToolArguments() {
    }

    public static JsonObject parse(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        JsonValue value = read(arguments.strip());
        if (value == null) {
            value = read(stripCodeFence(arguments.strip()));
        }
        if (value instanceof JsonObject object) {
            return object;
        }
        if (value != null) {
            return JSON_P.createObjectBuilder().add("value", value).build();
        }
        LOG.warning("upstream tool arguments are not JSON; passing them on under _raw");
        return JSON_P.createObjectBuilder().add("_raw", arguments).build();
    }

    private static JsonValue read(String text) {
        try {
            return Json.readValue(new StringReader(text));
        } catch (JsonException | IllegalStateException e) {
            return null;
        }
    }

    private static String stripCodeFence(String text) {
        if (text.startsWith("```") && text.endsWith("```") && text.length() >= 6) {
            String inner = text.substring(3, text.length() - 3);
            int newline = inner.indexOf('\n');
            return newline >= 0 ? inner.substring(newline + 1).strip() : inner.strip();
        }
        return text;
    }
}
