package dev.claudeproxy.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** WHATWG event-stream parsing, each case fed whole and one byte per piece (every split a TCP stream can make). */
class SseParserTest {

    static Stream<Arguments> wire() {
        return Stream.of(
                Arguments.of("LF", "data: a\n\ndata: b\n\n", List.of("null|a", "null|b")),
                Arguments.of("CRLF", "data: a\r\n\r\ndata: b\r\n\r\n", List.of("null|a", "null|b")),
                Arguments.of("CR", "data: a\r\rdata: b\r\r", List.of("null|a", "null|b")),
                Arguments.of("no space after colon", "data:{\"x\":1}\n\n", List.of("null|{\"x\":1}")),
                Arguments.of("only one leading space removed", "data:  two\n\n", List.of("null| two")),
                Arguments.of("comments and unknown fields ignored", ": OPENROUTER PROCESSING\nid: 7\nretry: 10\ndata: a\n\n",
                        List.of("null|a")),
                Arguments.of("multi-line data joined with LF", "data: a\ndata: b\n\n", List.of("null|a\nb")),
                Arguments.of("event name kept, reset after dispatch", "event: error\ndata: x\n\ndata: y\n\n",
                        List.of("error|x", "null|y")),
                Arguments.of("event without data skipped", "event: ping\n\ndata: a\n\n", List.of("null|a")),
                Arguments.of("empty data line is an event with empty data", "data:\n\n", List.of("null|")),
                Arguments.of("last event without blank line still read", "data: a\n\ndata: [DONE]", List.of("null|a", "null|[DONE]")),
                Arguments.of("multi-byte UTF-8", "data: caf\u00e9 \uD83C\uDF0D\n\n", List.of("null|caf\u00e9 \uD83C\uDF0D")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wire")
    void readsEventsFedWhole(String rule, String wire, List<String> expected) throws EventTooLargeException {
        List<String> events = new ArrayList<>();
        SseParser parser = new SseParser(SseParser.DEFAULT_MAX_EVENT_BYTES);
        parser.feed(ByteBuffer.wrap(wire.getBytes(StandardCharsets.UTF_8)), event -> events.add(line(event)));
        parser.finish(event -> events.add(line(event)));
        assertEquals(expected, events);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wire")
    void readsEventsFedOneBytePerPiece(String rule, String wire, List<String> expected) throws EventTooLargeException {
        List<String> events = new ArrayList<>();
        SseParser parser = new SseParser(SseParser.DEFAULT_MAX_EVENT_BYTES);
        for (byte b : wire.getBytes(StandardCharsets.UTF_8)) {
            parser.feed(ByteBuffer.wrap(new byte[] {b}), event -> events.add(line(event)));
        }
        parser.finish(event -> events.add(line(event)));
        assertEquals(expected, events);
    }

    private static String line(SseEvent event) {
        return event.event() + "|" + event.data();
    }

    /** Issue 11, point 3: a line that never ends, or data lines that never end an event, stop at the bound. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("endlessInput")
    void anEventPastTheBoundFailsInsteadOfGrowing(String rule, String head, String repeated) throws EventTooLargeException {
        SseParser parser = new SseParser(64 * 1024);
        List<String> events = new ArrayList<>();
        parser.feed(ByteBuffer.wrap(head.getBytes(StandardCharsets.UTF_8)), event -> events.add(event.data()));
        assertEquals(List.of("ok"), events, "events before it are read as usual");
        ByteBuffer more = ByteBuffer.wrap(repeated.repeat(4096).getBytes(StandardCharsets.UTF_8));
        EventTooLargeException failure = assertThrows(EventTooLargeException.class, () -> {
            for (int i = 0; i < 1000; i++) {
                parser.feed(more.duplicate(), event -> events.add(event.data()));
            }
        });
        assertEquals(64 * 1024, failure.limit());
    }

    static Stream<Arguments> endlessInput() {
        return Stream.of(
                Arguments.of("a line that never ends", "data: ok\n\ndata: ", "a"),
                Arguments.of("data lines that never end an event", "data: ok\n\n", "data: aaaaaaaaaaaaaaaa\n"),
                Arguments.of("a comment that never ends", "data: ok\n\n: ", "x"));
    }
}
