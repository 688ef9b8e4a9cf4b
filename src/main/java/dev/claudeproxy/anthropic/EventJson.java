package dev.claudeproxy.anthropic;

import dev.claudeproxy.json.Json;
import jakarta.json.stream.JsonGenerator;
import java.io.StringWriter;

/**
 * An event's JSON, as {@link Json#write} writes it: {@code content_block_delta}, nearly every event
 * of a stream, by JSON-P's generator, field by field (but a citation, an object); a block's and the
 * stream's end as the fixed text they are; every other event by JSON-B.
 *
 * <p>Why not JSON-B for all: writing one delta through the binding cost 1.7 times the generator
 * (615 against 360 ns, {@code ChunkJsonBench}), and under load the binding's per-call set-up (its
 * serializer chain, a configuration and a generator per call) was a tenth of the gateway's Java
 * samples in a stream run. The output is the same JSON ({@code EventJsonTest}), with the delta's
 * {@code type} first, as the Anthropic API writes it (the binding writes a delta's fields in
 * alphabetical order).
 */
public final class EventJson {

    private static final String CONTENT_BLOCK_STOP = "content_block_stop";
    private static final String MESSAGE_STOP = "message_stop";

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
        StringWriter out = new StringWriter(64 + (value == null ? 0 : value.length()));
        try (JsonGenerator json = Json.generator(out)) {
            json.writeStartObject()
                    .write("type", event.type())
                    .write("index", event.index())
                    .writeStartObject("delta")
                    .write("type", delta.type());
            if (value != null) {
                json.write(field, value);
            }
            json.writeEnd().writeEnd();
        }
        return out.toString();
    }
}
