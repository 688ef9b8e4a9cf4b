package dev.claudeproxy.openai;

import dev.claudeproxy.json.BindingOracle;
import dev.claudeproxy.json.Json;
import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.json.stream.JsonParser;
import java.util.regex.Pattern;

/**
 * The streaming reader ({@link ChatCompletionReader}) against JSON-B's binding, the gateway's
 * reader of chat completions before it: used by {@code ChatCompletionReaderTest} and the stream
 * fuzzer. They must read the same record, or both refuse; the reader may refuse more only where
 * binding misread: a text that is not one object alone, or a count past {@code int}'s range.
 */
public final class ReadersAgree {

    private static final Pattern LARGE_NUMBER = Pattern.compile("\\d{10}|\\d[eE]");

    private ReadersAgree() {
    }

    /** @throws AssertionError when the readers part on {@code text} other than on purpose */
    public static void check(String text) {
        ChatCompletion streamed = null;
        ChatCompletion bound = null;
        boolean boundRefused = false;
        try {
            streamed = ChatCompletionReader.read(text);
        } catch (JsonException refused) {
            // compared below
        }
        try {
            bound = BindingOracle.read(text, ChatCompletion.class);
        } catch (JsonbException refused) {
            boundRefused = true;
        }
        if (streamed != null || text.strip().equals("null")) {
            if (boundRefused || !java.util.Objects.equals(streamed, bound)) {
                throw new AssertionError("the streaming reader read " + streamed + " where binding read "
                        + (boundRefused ? "nothing" : bound) + ": " + text);
            }
        } else if (!boundRefused && isOneObject(text) && !LARGE_NUMBER.matcher(text).find()) {
            throw new AssertionError("the streaming reader refused what binding read as " + bound + ": " + text);
        }
    }

    /** Whether {@code text} is one JSON object and nothing more. */
    static boolean isOneObject(String text) {
        try (JsonParser parser = Json.parser(text)) {
            if (parser.next() != JsonParser.Event.START_OBJECT) {
                return false;
            }
            parser.getObject();
            return !parser.hasNext();
        } catch (RuntimeException notOneObject) { // Parsson's refusals include bare RuntimeExceptions
            return false;
        }
    }
}
