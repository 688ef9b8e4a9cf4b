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

    private final OutputStream out;

    public SseWriter(OutputStream out) {
        this.out = out;
    }

    /**
     * Writes the event as one piece: the container's stream costs the same per write whatever
     * its length, and an event is a few hundred bytes.
     *
     * @param json single-line JSON (JSON-B output never holds a raw newline)
     */
    public void write(String name, String json) throws IOException {
        out.write(("event: " + name + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    public void flush() throws IOException {
        out.flush();
    }
}
