package dev.claudeproxy.sse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes server-sent events: {@code event: <name>}, one {@code data:} line, a blank line. Events
 * are buffered until {@link #flush()}: the caller flushes when it would otherwise wait (clients
 * render tokens as they arrive, so nothing may be held back while the upstream is quiet, but a
 * burst of events should leave in one write). Knows nothing of HTTP. Not thread-safe.
 */
public final class SseWriter {

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;

    public SseWriter(OutputStream out) {
        this.out = out;
    }

    /** @param json single-line JSON (JSON-B output never holds a raw newline) */
    public void write(String name, String json) throws IOException {
        out.write(EVENT);
        out.write(name.getBytes(StandardCharsets.UTF_8));
        out.write(DATA);
        out.write(json.getBytes(StandardCharsets.UTF_8));
        out.write(END);
    }

    public void flush() throws IOException {
        out.flush();
    }
}
