package dev.claudeproxy.anthropic;

import dev.claudeproxy.json.Json;

/**
 * An event's JSON, as {@link Json#write} writes it: {@code content_block_delta}, nearly every event
 * of a stream, field by field into one string, its text escaped as JSON-P's generator escapes it
 * (but a citation, an object); a block's and the stream's end as the fixed text they are; every
 * other event by JSON-B.
 *
 * <p>Why not JSON-B for all: writing one delta through the binding cost 1.7 times the generator
 * (615 against 360 ns, {@code ChunkJsonBench}), and under load the binding's per-call set-up (its
 * serializer chain, a configuration and a generator per call) was a tenth of the gateway's Java
 * samples in a stream run. Why not the generator: a generator per event (its factory's look-up,
 * a writer and a buffer each) cost 217 ns a delta against 63 ns for the one string here (342 ns
 * the binding, same run, {@code ChunkJsonBench.write*}). The output is the same JSON
 * ({@code EventJsonTest}, every character against the generator's), with the delta's
 * {@code type} first, as the Anthropic API writes it (the binding writes a delta's fields in
 * alphabetical order).
 */
public final class EventJson {

    private static final String CONTENT_BLOCK_STOP = "content_block_stop";
    private static final String MESSAGE_STOP = "message_stop";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private EventJson() {
    }

    public static String of(StreamEvent event) {
        if (event instanceof StreamEvent.ContentBlockDelta delta && !(delta.delta() instanceof StreamEvent.CitationsDelta)) {
            return delta(delta);
        }
        // Every block's end and the stream's: fixed text but the index, as the binding writes it.
        if (event instanceof StreamEvent.ContentBlockStop stop && stop.type().equals(CONTENT_BLOCK_STOP)) {
            return "{\"type\":\"" + CONTENT_BLOCK_STOP + "\",\"index\":" + stop.index() + "}";
        }
        if (event instanceof StreamEvent.MessageStop stop && stop.type().equals(MESSAGE_STOP)) {
            return "{\"type\":\"" + MESSAGE_STOP + "\"}";
        }
        return Json.write(event);
    }

    private static String delta(StreamEvent.ContentBlockDelta event) {
        StreamEvent.Delta delta = event.delta();
        String field;
        String value;
        if (delta instanceof StreamEvent.TextDelta text) {
            field = "text";
            value = text.text();
        } else if (delta instanceof StreamEvent.InputJsonDelta input) {
            field = "partial_json";
            value = input.partialJson();
        } else if (delta instanceof StreamEvent.ThinkingDelta thinking) {
            field = "thinking";
            value = thinking.thinking();
        } else {
            field = "signature";
            value = ((StreamEvent.SignatureDelta) delta).signature();
        }
        StringBuilder json = new StringBuilder(80 + (value == null ? 0 : value.length()));
        json.append("{\"type\":");
        string(json, event.type()).append(",\"index\":").append(event.index()).append(",\"delta\":{\"type\":");
        string(json, delta.type());
        if (value != null) {
            string(json.append(",\"").append(field).append("\":"), value);
        }
        return json.append("}}").toString();
    }

    /**
     * {@code value} as a JSON string, escaped as JSON-P's generator escapes it: quote, backslash
     * and the control characters below U+0020, the usual five by their short forms
     * ({@code EventJsonTest} holds every character to the generator's output).
     */
    private static StringBuilder string(StringBuilder json, String value) {
        json.append('"');
        int plain = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            json.append(value, plain, i);
            plain = i + 1;
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return json.append(value, plain, value.length()).append('"');
    }
}
