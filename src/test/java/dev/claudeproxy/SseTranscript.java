package dev.claudeproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the gateway's SSE output as a test sees it and renders each event as one short line, so a
 * test can state the whole expected sequence inline. Also checks what every event must satisfy:
 * an {@code event:} line, one {@code data:} line, and a {@code type} equal to the event name.
 */
public final class SseTranscript {

    private SseTranscript() {
    }

    public static List<JsonObject> events(String body) {
        List<JsonObject> events = new ArrayList<>();
        for (String frame : body.split("\n\n")) {
            if (frame.isBlank()) {
                continue;
            }
            String[] lines = frame.split("\n");
            assertEquals(2, lines.length, "one event: line and one data: line in " + frame);
            assertTrue(lines[0].startsWith("event: "), frame);
            assertTrue(lines[1].startsWith("data: "), frame);
            JsonObject data;
            try (JsonReader reader = Json.createReader(new StringReader(lines[1].substring(6)))) {
                data = reader.readObject();
            }
            assertEquals(lines[0].substring(7), data.getString("type"), "event name equals data.type");
            events.add(data);
        }
        return events;
    }

    /**
     * One line per event, e.g. {@code start 0 text}, {@code delta 0 text Hel},
     * {@code message_delta end_turn in=6 out=2 cache_read=4}; a tool block's {@code input_json_delta}
     * fragments as one line, {@code delta 1 json {...}}, its whole input, normalised, at the block's
     * stop (how they are split is the upstream's), after checking that every prefix of it is a JSON
     * prefix as the Python SDK does.
     */
    public static List<String> lines(String body) {
        List<String> lines = new ArrayList<>();
        StringBuilder toolInput = null;
        for (JsonObject event : events(body)) {
            String type = event.getString("type");
            switch (type) {
                case "content_block_start" -> {
                    JsonObject block = event.getJsonObject("content_block");
                    String kind = block.getString("type");
                    lines.add("start " + event.getInt("index") + " " + kind
                            + (kind.equals("tool_use") ? " " + block.getString("name") : ""));
                }
                case "content_block_delta" -> {
                    JsonObject delta = event.getJsonObject("delta");
                    if (delta.getString("type").equals("input_json_delta")) {
                        toolInput = toolInput == null ? new StringBuilder() : toolInput;
                        toolInput.append(delta.getString("partial_json"));
                        assertTrue(isJsonPrefix(toolInput.toString()), "every prefix of a tool's input is a JSON prefix: " + toolInput);
                        continue;
                    }
                    String line = switch (delta.getString("type")) {
                        case "text_delta" -> "text " + delta.getString("text");
                        case "input_json_delta" -> "json " + normalized(delta.getString("partial_json"));
                        case "thinking_delta" -> "thinking " + delta.getString("thinking");
                        case "signature_delta" -> "signature";
                        default -> delta.getString("type");
                    };
                    lines.add("delta " + event.getInt("index") + " " + line);
                }
                case "content_block_stop" -> {
                    if (toolInput != null) {
                        lines.add("delta " + event.getInt("index") + " json " + normalized(toolInput.toString()));
                        toolInput = null;
                    }
                    lines.add("stop " + event.getInt("index"));
                }
                case "message_delta" -> {
                    JsonObject usage = event.getJsonObject("usage");
                    lines.add("message_delta " + event.getJsonObject("delta").getString("stop_reason")
                            + " in=" + usage.getInt("input_tokens") + " out=" + usage.getInt("output_tokens")
                            + " cache_read=" + usage.getInt("cache_read_input_tokens"));
                }
                case "error" -> lines.add("error " + event.getJsonObject("error").getString("type"));
                case "ping" -> {
                    // keep-alives carry nothing
                }
                default -> lines.add(type);
            }
        }
        return lines;
    }

    /**
     * Whether the text is the beginning of some JSON value, checked by Parsson independently of the
     * gateway's own validator: parsing it fails only at its end (Parsson reports the end as char -1
     * or token EOF), or not at all.
     */
    public static boolean isJsonPrefix(String text) {
        try (JsonParser parser = Json.createParser(new StringReader(text))) {
            while (parser.hasNext()) {
                parser.next();
            }
            return true;
        } catch (JsonParsingException e) {
            return e.getMessage().startsWith("Unexpected char -1") || e.getMessage().startsWith("Invalid token=EOF");
        }
    }

    /** The JSON normalised, or, when it is cut short (an answer cut by its token limit), as sent, marked {@code partial}. */
    private static String normalized(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            return reader.readValue().toString();
        } catch (JsonParsingException cutShort) {
            return "partial " + json;
        }
    }
}
