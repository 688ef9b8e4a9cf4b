package dev.claudeproxy.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.claudeproxy.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The generator's JSON of an event is the binding's. */
class EventJsonTest {

    static Stream<StreamEvent> events() {
        List<String> texts = new ArrayList<>(List.of("", " the quick brown fox", "quote \" backslash \\ slash /",
                "new\nline\r\ttab \b\f", "\u0000\u0001\u001f\u007f", "é ü 漢字 😀", "\u2028\u2029", "\ud800 lone",
                "{\"a\":[1,", "</script>", "x".repeat(10_000)));
        List<StreamEvent> events = new ArrayList<>();
        for (String text : texts) {
            for (int index : new int[] {0, 7, Integer.MAX_VALUE}) {
                events.add(new StreamEvent.ContentBlockDelta(index, new StreamEvent.TextDelta(text)));
                events.add(new StreamEvent.ContentBlockDelta(index, new StreamEvent.InputJsonDelta(text)));
                events.add(new StreamEvent.ContentBlockDelta(index, new StreamEvent.ThinkingDelta(text)));
                events.add(new StreamEvent.ContentBlockDelta(index, new StreamEvent.SignatureDelta(text)));
            }
        }
        events.add(new StreamEvent.ContentBlockDelta(0, new StreamEvent.TextDelta(null)));
        events.add(new StreamEvent.ContentBlockDelta(0, new StreamEvent.SignatureDelta(null)));
        events.add(new StreamEvent.ContentBlockStop(3));
        events.add(new StreamEvent.ContentBlockStop(Integer.MAX_VALUE));
        events.add(new StreamEvent.MessageStop());
        events.add(new StreamEvent.Ping());
        events.add(new StreamEvent.ErrorEvent("api_error", "x\"y"));
        return events.stream();
    }

    @ParameterizedTest
    @MethodSource("events")
    void theGeneratorWritesWhatTheBindingWrites(StreamEvent event) {
        assertEquals(parse(Json.write(event)), parse(EventJson.of(event)));
    }

    /** The delta's type first, as the Anthropic API writes it. */
    @Test
    void aTextDeltaReadsAsTheAnthropicApiWritesIt() {
        assertEquals("{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\\\"b\\n\"}}",
                EventJson.of(new StreamEvent.ContentBlockDelta(2, new StreamEvent.TextDelta("a\"b\n"))));
    }

    /** The stream's message_delta, byte for byte as the binding writes it. */
    @Test
    void aMessageDeltaIsWrittenAsTheBindingWritesIt() {
        List<StreamEvent.MessageDelta> deltas = List.of(
                new StreamEvent.MessageDelta(new StreamEvent.StopInfo("end_turn", null), new Usage(1, 2, 3, 4)),
                new StreamEvent.MessageDelta(new StreamEvent.StopInfo("stop_sequence", "x\"y\n\u0001é"), new Usage(0, 0, 0, 0)),
                new StreamEvent.MessageDelta(new StreamEvent.StopInfo(null, null), null),
                new StreamEvent.MessageDelta(null, new Usage(Integer.MAX_VALUE, -1, 7, 8)),
                new StreamEvent.MessageDelta("other", null, null));
        for (StreamEvent.MessageDelta delta : deltas) {
            assertEquals(Json.write(delta), EventJson.of(delta));
        }
    }

    /** The stream's message_start, byte for byte as the binding writes it; one with content is the binding's. */
    @Test
    void aMessageStartIsWrittenAsTheBindingWritesIt() {
        List<StreamEvent.MessageStart> starts = List.of(
                new StreamEvent.MessageStart(new Message("msg_1", "gpt-4.1", List.of(), null, new Usage(1, 2, 3, 4))),
                new StreamEvent.MessageStart(new Message("m\"1", "message", "assistant", "a/b\u0002", List.of(), "end_turn",
                        "x\\y", null)),
                new StreamEvent.MessageStart(new Message(null, "message", null, null, List.of(), null, null, null)),
                new StreamEvent.MessageStart(new Message(null, null, null, "m", List.of(), null, null, new Usage(0, 0, 0, 0))),
                new StreamEvent.MessageStart(new Message(null, null, null, null, List.of(), null, null, null)),
                new StreamEvent.MessageStart(new Message("msg_2", "m", List.of(new ContentBlock.TextBlock("hi")), null,
                        new Usage(1, 1, 0, 0))),
                new StreamEvent.MessageStart(null));
        for (StreamEvent.MessageStart start : starts) {
            assertEquals(Json.write(start), EventJson.of(start));
        }
    }

    /** Every UTF-16 unit, in a text and in a partial JSON, escaped to the character as JSON-P's generator does it. */
    @Test
    void everyCharacterIsWrittenAsTheGeneratorWritesIt() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            all.append(c).append('x');
        }
        for (String text : List.of(all.toString(), "\"", "\\", "\n", "plain", "")) {
            for (StreamEvent.Delta delta : List.of(new StreamEvent.TextDelta(text), new StreamEvent.InputJsonDelta(text))) {
                StreamEvent.ContentBlockDelta event = new StreamEvent.ContentBlockDelta(5, delta);
                assertEquals(generated(event, delta instanceof StreamEvent.TextDelta ? "text" : "partial_json", text),
                        EventJson.of(event));
            }
        }
    }

    /** The event as JSON-P's generator writes it, field by field. */
    private static String generated(StreamEvent.ContentBlockDelta event, String field, String value) {
        java.io.StringWriter out = new java.io.StringWriter();
        try (jakarta.json.stream.JsonGenerator json = Json.JSON_P.createGenerator(out)) {
            json.writeStartObject().write("type", event.type()).write("index", event.index())
                    .writeStartObject("delta").write("type", event.delta().type()).write(field, value).writeEnd().writeEnd();
        }
        return out.toString();
    }

    private static JsonValue parse(String json) {
        try (JsonReader reader = Json.JSON_P.createReader(new StringReader(json))) {
            return reader.readValue();
        }
    }
}
