package dev.claudeproxy.anthropic;

import dev.claudeproxy.json.Json;

/**
 * An event's JSON, as {@link Json#write} writes it: {@code content_block_delta}, nearly every event
 * of a stream, field by field into one string, its text escaped as JSON-P's generator escapes it
 * (but a citation, an object); {@code message_start} (while its message has no content) and
 * {@code message_delta} likewise, once a stream each; a block's and the stream's end as
 * the fixed text they are; every other event by JSON-B.
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
        if (event instanceof StreamEvent.MessageDelta delta) {
            return messageDelta(delta);
        }
        if (event instanceof StreamEvent.MessageStart start && start.message() != null && start.message().content() != null
                && start.message().content().isEmpty()) {
            return messageStart(start);
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

    /** The stream's {@code message_delta}, once a stream, as the binding writes it (its usage's fields in alphabetical order). */
    private static String messageDelta(StreamEvent.MessageDelta event) {
        StringBuilder json = new StringBuilder(200).append("{\"type\":");
        string(json, event.type());
        if (event.delta() != null) {
            json.append(",\"delta\":{\"stop_reason\":");
            nullable(json, event.delta().stopReason()).append(",\"stop_sequence\":");
            nullable(json, event.delta().stopSequence()).append('}');
        }
        usage(json, event.usage());
        return json.append('}').toString();
    }

    /**
     * The stream's {@code message_start}, whose message has no content yet, as the binding writes
     * it: the event's fields in alphabetical order (it names no order), the message's in its own.
     */
    private static String messageStart(StreamEvent.MessageStart event) {
        Message message = event.message();
        StringBuilder json = new StringBuilder(300).append("{\"message\":{");
        optional(json, "id", message.id());
        optional(json, "type", message.type());
        optional(json, "role", message.role());
        optional(json, "model", message.model());
        name(json, "content").append("[],\"stop_reason\":");
        nullable(json, message.stopReason()).append(",\"stop_sequence\":");
        nullable(json, message.stopSequence());
        usage(json, message.usage());
        json.append("},\"type\":");
        return string(json, event.type()).append('}').toString();
    }

    /** {@code ,"name":"value"}, or nothing for null. */
    private static void optional(StringBuilder json, String name, String value) {
        if (value != null) {
            string(name(json, name), value);
        }
    }

    /** {@code ,"name":}, with no comma in an object not yet holding a field. */
    private static StringBuilder name(StringBuilder json, String name) {
        return json.append(json.charAt(json.length() - 1) == '{' ? "\"" : ",\"").append(name).append("\":");
    }

    /** {@code ,"usage":{...}}, its fields in alphabetical order as the binding writes them, or nothing for null. */
    private static void usage(StringBuilder json, Usage usage) {
        if (usage != null) {
            json.append(",\"usage\":{\"cache_creation_input_tokens\":").append(usage.cacheCreationInputTokens())
                    .append(",\"cache_read_input_tokens\":").append(usage.cacheReadInputTokens())
                    .append(",\"input_tokens\":").append(usage.inputTokens())
                    .append(",\"output_tokens\":").append(usage.outputTokens()).append('}');
        }
    }

    private static StringBuilder nullable(StringBuilder json, String value) {
        return value == null ? json.append("null") : string(json, value);
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
