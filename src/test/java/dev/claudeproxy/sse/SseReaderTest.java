package dev.claudeproxy.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** WHATWG event-stream parsing, each case read whole and one byte per read (every split a TCP stream can make). */
class SseReaderTest {

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
    void readsEventsWhole(String rule, String wire, List<String> expected) throws IOException {
        assertEquals(expected, read(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wire")
    void readsEventsOneBytePerRead(String rule, String wire, List<String> expected) throws IOException {
        InputStream bytes = new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8));
        InputStream trickle = new InputStream() {
            @Override
            public int read() throws IOException {
                return bytes.read();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                return length == 0 ? 0 : bytes.read(buffer, offset, 1);
            }
        };
        assertEquals(expected, read(trickle));
    }

    @Test
    void runsTheWaitHookOnlyWhenNothingIsBuffered() throws IOException {
        // Two events already buffered, then the end: the hook runs once, before the read that finds the end.
        List<String> seen = new ArrayList<>();
        SseReader reader = new SseReader(new ByteArrayInputStream("data: a\n\ndata: b\n\n".getBytes(StandardCharsets.UTF_8)),
                () -> seen.add("wait"), SseReader.DEFAULT_MAX_EVENT_BYTES);
        seen.add(reader.next().data());
        seen.add(reader.next().data());
        assertEquals(null, reader.next());
        assertEquals(List.of("a", "b", "wait"), seen);

        // An upstream that has nothing buffered before each arrival: the hook runs before each read.
        List<String> trickled = new ArrayList<>();
        byte[][] arrivals = {"data: a\n\n".getBytes(StandardCharsets.UTF_8), "data: b\n\n".getBytes(StandardCharsets.UTF_8)};
        InputStream quiet = new InputStream() {
            private int next;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (next == arrivals.length) {
                    return -1;
                }
                byte[] arrival = arrivals[next++];
                System.arraycopy(arrival, 0, buffer, offset, arrival.length);
                return arrival.length;
            }
        };
        SseReader slow = new SseReader(quiet, () -> trickled.add("wait"), SseReader.DEFAULT_MAX_EVENT_BYTES);
        for (SseEvent event = slow.next(); event != null; event = slow.next()) {
            trickled.add(event.data());
        }
        assertEquals(List.of("wait", "a", "wait", "b", "wait"), trickled);
    }

    private static List<String> read(InputStream in) throws IOException {
        SseReader reader = new SseReader(in);
        List<String> events = new ArrayList<>();
        for (SseEvent event = reader.next(); event != null; event = reader.next()) {
            events.add(event.event() + "|" + event.data());
        }
        return events;
    }

    /** An endless upstream: {@code head} once, then {@code repeated} for ever. */
    private static InputStream endless(String head, String repeated) {
        byte[] first = head.getBytes(StandardCharsets.UTF_8);
        byte[] again = repeated.getBytes(StandardCharsets.UTF_8);
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                long at = position++;
                return at < first.length ? first[(int) at] : again[(int) ((at - first.length) % again.length)];
            }
        };
    }

    /** Issue 11, point 3: a line that never ends, or data lines that never end an event, stop at the bound. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("endlessInput")
    void anEventPastTheBoundFailsInsteadOfGrowing(String rule, InputStream upstream) throws IOException {
        SseReader reader = new SseReader(upstream, () -> { }, 64 * 1024);
        assertEquals("ok", reader.next().data(), "events before it are read as usual");
        EventTooLargeException failure = org.junit.jupiter.api.Assertions.assertThrows(EventTooLargeException.class,
                reader::next);
        assertEquals(64 * 1024, failure.limit());
    }

    static Stream<Arguments> endlessInput() {
        return Stream.of(
                Arguments.of("a line that never ends", endless("data: ok\n\ndata: ", "a")),
                Arguments.of("data lines that never end an event", endless("data: ok\n\n", "data: aaaaaaaaaaaaaaaa\n")),
                Arguments.of("a comment that never ends", endless("data: ok\n\n: ", "x")));
    }
}
