package dev.claudeproxy.bench;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load run's Claude Code request (issue 28): the captured first turn of an interactive session
 * (13 tools, the system prompt, the environment message), its strings restored to the lengths the
 * capture recorded, then grown into a conversation of {@code messages} messages (Bash calls and
 * their output) of about {@code kib} KiB, streamed, as the tenth minute of a session sends it.
 *
 * <p>Usage: {@code ClaudeCodeRequest <out file> [kib=100] [messages=30]}.
 */
public final class ClaudeCodeRequest {

    /** How the captures cut a long string: its first 240 characters, then its whole length. */
    private static final Pattern CUT = Pattern.compile("(?s)(.*)\\.\\.\\.\\[(\\d+) chars\\]");
    private static final String WORDS = "the quick brown fox jumps over the lazy dog while the build runs its tests again ";

    private ClaudeCodeRequest() {
    }

    public static void main(String[] args) throws IOException {
        int kib = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int messages = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Files.writeString(Path.of(args[0]), of(kib, messages).toString());
    }

    static JsonObject of(int kib, int messages) throws IOException {
        JsonObject captured = (JsonObject) restored(firstTurn());
        JsonArray start = captured.getJsonArray("messages");
        int turns = (messages - start.size() - 1) / 2;
        int bare = conversation(captured, start, turns, 0).toString().length();
        int perOutput = Math.max(0, (kib * 1024 - bare) / Math.max(1, turns));
        return conversation(captured, start, turns, perOutput);
    }

    private static JsonObject conversation(JsonObject captured, JsonArray start, int turns, int outputChars) {
        JsonArrayBuilder messages = Json.createArrayBuilder(start);
        for (int i = 0; i < turns; i++) {
            String id = "toolu_bench" + i;
            messages.add(Json.createObjectBuilder().add("role", "assistant").add("content", Json.createArrayBuilder()
                    .add(Json.createObjectBuilder().add("type", "text").add("text", "Let me look at step " + i + "."))
                    .add(Json.createObjectBuilder().add("type", "tool_use").add("id", id).add("name", "Bash")
                            .add("input", Json.createObjectBuilder().add("command", "ls -la src/step" + i)
                                    .add("description", "List step " + i)))));
            messages.add(Json.createObjectBuilder().add("role", "user").add("content", Json.createArrayBuilder()
                    .add(Json.createObjectBuilder().add("type", "tool_result").add("tool_use_id", id)
                            .add("content", text(outputChars)).add("is_error", false))));
        }
        messages.add(Json.createObjectBuilder().add("role", "user").add("content", "Now run the tests."));
        JsonObjectBuilder body = Json.createObjectBuilder(captured).add("messages", messages).add("stream", true);
        return body.build();
    }

    /** The capture's largest request: the main one, with the system prompt and the tools. */
    private static JsonObject firstTurn() throws IOException {
        try (InputStream in = ClaudeCodeRequest.class.getResourceAsStream("/captures/cli-interactive-first-turn.jsonl")) {
            String line = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("/v1/messages?")).max(Comparator.comparingInt(String::length)).orElseThrow();
            try (JsonReader reader = Json.createReader(new StringReader(line))) {
                return reader.readObject().getJsonObject("body");
            }
        }
    }

    /** Every cut string back at the length it had. */
    private static JsonValue restored(JsonValue value) {
        switch (value.getValueType()) {
            case OBJECT -> {
                JsonObjectBuilder object = Json.createObjectBuilder();
                for (Map.Entry<String, JsonValue> field : value.asJsonObject().entrySet()) {
                    object.add(field.getKey(), restored(field.getValue()));
                }
                return object.build();
            }
            case ARRAY -> {
                JsonArrayBuilder array = Json.createArrayBuilder();
                value.asJsonArray().forEach(element -> array.add(restored(element)));
                return array.build();
            }
            case STRING -> {
                Matcher cut = CUT.matcher(((JsonString) value).getString());
                if (!cut.matches()) {
                    return value;
                }
                String kept = cut.group(1);
                return Json.createValue(kept + text(Math.max(0, Integer.parseInt(cut.group(2)) - kept.length())));
            }
            default -> {
                return value;
            }
        }
    }

    private static String text(int chars) {
        StringBuilder text = new StringBuilder(chars);
        while (text.length() < chars) {
            text.append(WORDS, 0, Math.min(WORDS.length(), chars - text.length()));
        }
        return text.toString();
    }
}
