package dev.claudeproxy.sse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads server-sent events from a byte stream by the WHATWG rules: lines end with CR, LF or CRLF
 * (also across reads); {@code :} lines are comments; a field name is followed by an optional single
 * space; {@code data:} lines join with '\n'; a blank line ends an event; events without data are
 * skipped. Bytes are decoded only per complete line, so a UTF-8 character split across TCP reads
 * arrives whole. Knows nothing of HTTP. Single use, not thread-safe.
 *
 * <p>A line, and the data of one event, are bounded by {@code maxEventBytes}: the bytes come from
 * an upstream, and a line that never ends must not grow a buffer without end. Past the bound,
 * {@link #next()} throws {@link EventTooLargeException}.
 */
public final class SseReader {

    /** Events are small, and one buffer is held per open stream: 10,000 streams hold 20 MiB. */
    private static final int READ_SIZE = 2048;
    private static final Runnable NOTHING = () -> { };
    /** The bound when none is given: far above any real event (a whole tool call is a few hundred KiB). */
    public static final int DEFAULT_MAX_EVENT_BYTES = 4 << 20;

    private final InputStream in;
    private final Runnable beforeWait;
    private final int maxEventBytes;
    private long dataBytes;
    private final byte[] buffer = new byte[READ_SIZE];
    private int position;
    private int limit;
    private boolean skipLineFeed;
    private byte[] line = new byte[256];
    private int lineLength;
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private String eventName;

    public SseReader(InputStream in) {
        this(in, NOTHING, DEFAULT_MAX_EVENT_BYTES);
    }

    /**
     * @param beforeWait runs before a read that would wait for more bytes ({@code available()} is 0):
     *     a proxy flushes there, so that events already converted leave together (one write, not one
     *     per event) and none is held back while the upstream is quiet
     * @param maxEventBytes the longest line, and the most data one event may carry
     */
    public SseReader(InputStream in, Runnable beforeWait, int maxEventBytes) {
        this.in = in;
        this.beforeWait = beforeWait;
        this.maxEventBytes = maxEventBytes;
    }

    /** The next event, or null at the end of the stream. */
    public SseEvent next() throws IOException {
        while (true) {
            int length = readLine();
            if (length < 0) {
                // End of stream: an event not closed by a blank line still counts (some servers end so).
                return hasData ? dispatch() : null;
            }
            if (length == 0) {
                if (hasData) {
                    return dispatch();
                }
                eventName = null;
                continue;
            }
            field();
        }
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
        String value = valueStart >= lineLength ? "" : new String(line, valueStart, lineLength - valueStart,
                StandardCharsets.UTF_8);
        if (isField("data", colon)) {
            dataBytes += lineLength;
            if (dataBytes > maxEventBytes) {
                throw new EventTooLargeException(maxEventBytes);
            }
            if (hasData) {
                data.append('\n');
            }
            data.append(value);
            hasData = true;
        } else if (isField("event", colon)) {
            eventName = value;
        }
        // id:, retry: and unknown fields are ignored.
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

    /** Reads one line into {@code line}; its length, or -1 at end of stream with nothing read. */
    private int readLine() throws IOException {
        lineLength = 0;
        while (true) {
            if (position == limit) {
                if (in.available() == 0) {
                    beforeWait.run();
                }
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return lineLength > 0 ? lineLength : -1;
                }
            }
            byte b = buffer[position++];
            if (skipLineFeed) {
                skipLineFeed = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n') {
                return lineLength;
            }
            if (b == '\r') {
                skipLineFeed = true;
                return lineLength;
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
}
