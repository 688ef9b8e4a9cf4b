package dev.claudeproxy.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An upstream's HTTP answer whose body has not been read yet. Whoever holds it closes it; closing
 * before the body is read to its end drops the connection (or resets the HTTP/2 stream), which is
 * how an upstream stream is stopped when the client has gone. {@link #close()} may be called from
 * another thread, and wakes a read waiting on the body.
 */
public final class UpstreamResponse implements AutoCloseable {

    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    private final HttpResponse<InputStream> response;
    private final WatchedBody body;
    private final Consumer<UpstreamResponse> onClose;

    UpstreamResponse(HttpResponse<InputStream> response, Consumer<UpstreamResponse> onClose) {
        this.response = response;
        this.body = new WatchedBody(response.body());
        this.onClose = onClose;
    }

    public int status() {
        return response.statusCode();
    }

    public Optional<String> header(String name) {
        return response.headers().firstValue(name);
    }

    /** Whether the body is server-sent events (as opposed to one JSON document). */
    public boolean isEventStream() {
        return header("Content-Type")
                .map(type -> type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT).equals("text/event-stream"))
                .orElse(false);
    }

    /** The body as a stream; read it once. */
    public InputStream body() {
        return body;
    }

    /**
     * The body as a stream that fails with {@link AnswerTooLargeException} once it has given
     * {@code maxBytes}; read it once.
     */
    public InputStream body(long maxBytes) {
        return new CappedBody(body, maxBytes);
    }

    /** The whole body, or {@link AnswerTooLargeException} when it is longer than {@code maxBytes}. */
    public byte[] readAll(long maxBytes) throws IOException {
        try (InputStream in = body(maxBytes)) {
            return in.readAllBytes();
        }
    }

    /** The body of an error answer as text, at most its first 64 KiB (error pages can be large). */
    public String errorText() throws IOException {
        try (InputStream in = body()) {
            return new String(in.readNBytes(ERROR_BODY_LIMIT), StandardCharsets.UTF_8);
        }
    }

    /** The content type the upstream declared, without parameters, or {@code "no content type"}. */
    public String contentType() {
        return header("Content-Type").map(type -> type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT))
                .orElse("no content type");
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // closing drops the connection; nothing is left to release
        }
    }

    boolean waitingLongerThan(long nanos, long now) {
        long since = body.waitingSince;
        return since != 0 && now - since > nanos;
    }

    /** Ends a read that waited too long: it fails with {@link SocketTimeoutException}. */
    void expire() {
        body.expired = true;
        close();
    }

    /** A body that may give at most {@code maxBytes}. */
    private static final class CappedBody extends FilterInputStream {
        private final long maxBytes;
        private long given;

        CappedBody(InputStream in, long maxBytes) {
            super(in);
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && ++given > maxBytes) {
                throw new AnswerTooLargeException(maxBytes);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0 && (given += n) > maxBytes) {
                throw new AnswerTooLargeException(maxBytes);
            }
            return n;
        }
    }

    /** The body, timing each read that waits for the upstream. */
    private final class WatchedBody extends FilterInputStream {
        /** When the read under way began, 0 when none is. */
        private volatile long waitingSince;
        private volatile boolean expired;
        private boolean closed;

        WatchedBody(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            begin();
            try {
                return super.read();
            } catch (IOException e) {
                throw timedOutOr(e);
            } finally {
                waitingSince = 0;
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            begin();
            try {
                return super.read(buffer, offset, length);
            } catch (IOException e) {
                throw timedOutOr(e);
            } finally {
                waitingSince = 0;
            }
        }

        private void begin() {
            // 0 means "not reading", so a clock reading of 0 counts as 1
            waitingSince = System.nanoTime() | 1;
        }

        private IOException timedOutOr(IOException e) {
            if (!expired) {
                return e;
            }
            SocketTimeoutException timeout = new SocketTimeoutException("the upstream sent nothing within the read timeout");
            timeout.initCause(e);
            return timeout;
        }

        @Override
        public void close() throws IOException {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            try {
                super.close();
            } finally {
                onClose.accept(UpstreamResponse.this);
            }
        }
    }
}
