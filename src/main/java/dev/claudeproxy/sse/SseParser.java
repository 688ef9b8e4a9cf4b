package dev.claudeproxy.sse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Parses server-sent events from bytes pushed in as they arrive, by the WHATWG rules: lines end
 * with CR, LF or CRLF (also across pieces); {@code :} lines are comments; a field name is followed
 * by an optional single space; {@code data:} lines join with '\n'; a blank line ends an event;
 * events without data are skipped. Bytes are decoded only per complete line, so a UTF-8 character
 * split across pieces arrives whole. Knows nothing of HTTP or threads: whoever reads the bytes
 * feeds them here. Single use, not thread-safe.
 *
 * <p>A line, and the data of one event, are bounded by {@code maxEventBytes}: the bytes come from
 * an upstream, and a line that never ends must not grow a buffer without end. Past the bound,
 * {@link #feed} throws {@link EventTooLargeException}.
 */
public final class SseParser {

    /** The bound when none is given: far above any real event (a whole tool call is a few hundred KiB). */
    public static final int DEFAULT_MAX_EVENT_BYTES = 4 << 20;

    private final int maxEventBytes;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean skipLineFeed;
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private long dataBytes;
    private String eventName;

    public SseParser(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /** Parses {@code bytes} (all of its remaining bytes), giving each event it completes to {@code sink}. */
    public void feed(ByteBuffer bytes, Consumer<SseEvent> sink) throws EventTooLargeException {
        while (bytes.hasRemaining()) {
            byte b = bytes.get();
            if (skipLineFeed) {
                skipLineFeed = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n' || b == '\r') {
                skipLineFeed = b == '\r';
                endOfLine(sink);
                continue;
            }
            if (lineLength == line.length) {
                if (lineLength >= maxEventBytes) {
                    throw new EventTooLargeException(maxEventBytes);
                }
                line = Arrays.copyOf(line, (int) Math.min((long) maxEventBytes, line.length * 2L));
            }
            line[lineLength++] = b;
        }
    }

    /** The end of the stream: a last line without its line end, and an event not closed by a blank line, still count. */
    public void finish(Consumer<SseEvent> sink) throws EventTooLargeException {
        if (lineLength > 0) {
            endOfLine(sink);
        }
        if (hasData) {
            sink.accept(dispatch());
        }
    }

    private void endOfLine(Consumer<SseEvent> sink) throws EventTooLargeException {
        if (lineLength == 0) {
            if (hasData) {
                sink.accept(dispatch());
            }
            eventName = null;
            return;
        }
        field();
        lineLength = 0;
    }

    private SseEvent dispatch() {
        SseEvent event = new SseEvent(eventName, data.toString());
        data.setLength(0);
        dataBytes = 0;
        hasData = false;
        eventName = null;
        return event;
    }

    private void field() throws EventTooLargeException {
        if (line[0] == ':') {
            return;
        }
        int colon = 0;
        while (colon < lineLength && line[colon] != ':') {
            colon++;
        }
        int valueStart = colon + 1;
        if (valueStart < lineLength && line[valueStart] == ' ') {
            valueStart++;
        }
        if (isField("data", colon)) {
            dataBytes += lineLength;
            if (dataBytes > maxEventBytes) {
                throw new EventTooLargeException(maxEventBytes);
            }
            if (hasData) {
                data.append('\n');
            }
            data.append(value(valueStart));
            hasData = true;
        } else if (isField("event", colon)) {
            eventName = value(valueStart);
        }
        // id:, retry: and unknown fields are ignored.
    }

    private String value(int start) {
        return start >= lineLength ? "" : new String(line, start, lineLength - start, StandardCharsets.UTF_8);
    }

    private boolean isField(String name, int length) {
        if (length != name.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (line[i] != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
