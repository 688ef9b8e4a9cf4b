package dev.claudeproxy.sse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes server-sent events: {@code event: <name>}, one {@code data:} line, a blank line, then a
 * flush, so each event leaves as soon as it is produced (clients render tokens as they arrive and
 * a proxy must not hold them back). Knows nothing of HTTP. Not thread-safe.
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
        out.flush();
    }
}
