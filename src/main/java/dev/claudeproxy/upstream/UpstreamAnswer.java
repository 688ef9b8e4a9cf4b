package dev.claudeproxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;

/**
 * An upstream's answer whose head has arrived; its body is read piece by piece through
 * {@link #next}, on the exchange's thread, the only one that touches the answer. Whoever holds the
 * answer closes it; closing before the body was read to its end drops the connection, which is how
 * an upstream is stopped when the exchange is done with it.
 */
public final class UpstreamAnswer implements AutoCloseable {

    /** What the exchange gets from {@link #next}. */
    public sealed interface Piece permits Data, End, Failed, Expired {
    }

    /**
     * Bytes of the body, in order: the first {@code length} of {@code bytes}, a buffer the answer
     * reuses, so they are the caller's only until its next call of {@link #next}.
     */
    public record Data(byte[] bytes, int length) implements Piece {
    }

    /** The body ended. */
    public record End() implements Piece {
    }

    /** Reading the body failed (the connection broke, or the body passed its bound). */
    public record Failed(IOException failure) implements Piece {
    }

    /** The deadline passed first: the call was stopped. */
    public record Expired() implements Piece {
    }

    static final Expired EXPIRED = new Expired();
    private static final End END = new End();
    /** The read buffer, held for as long as the answer lasts: the connection's own buffer's size. */
    private static final int READ_SIZE = UpstreamClient.CONNECTION_BUFFER_BYTES;

    private final ClassicHttpResponse response;
    private final UpstreamCall call;
    private final long maxBodyBytes;
    private InputStream body;
    private byte[] buffer;
    private long total;
    private boolean finished;
    private boolean bodyComplete;
    private boolean closed;

    UpstreamAnswer(ClassicHttpResponse response, UpstreamCall call, long maxBodyBytes) {
        this.response = response;
        this.call = call;
        this.maxBodyBytes = maxBodyBytes;
    }

    public int status() {
        return response.getCode();
    }

    public boolean isSuccess() {
        return status() >= 200 && status() < 300;
    }

    public Optional<String> header(String name) {
        Header header = response.getFirstHeader(name);
        return header == null ? Optional.empty() : Optional.ofNullable(header.getValue());
    }

    /** Whether the body is server-sent events (as opposed to one JSON document). */
    public boolean isEventStream() {
        return contentType().equals("text/event-stream");
    }

    /** The content type the upstream declared, without parameters, or {@code "no content type"}. */
    public String contentType() {
        return header("Content-Type").map(type -> type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT))
                .orElse("no content type");
    }

    /**
     * The next piece of the body, read on this thread, which waits until {@code deadlineNanos}
     * ({@link System#nanoTime}) at most: past it, {@link Expired}. Nothing may be asked after
     * {@link End}, {@link Failed} or {@link Expired}.
     *
     * @throws RuntimeException what a keep-alive beat threw meanwhile (its client has gone)
     */
    public Piece next(long deadlineNanos) {
        if (finished) {
            throw new IllegalStateException("the body has already ended");
        }
        call.until(deadlineNanos);
        int n;
        try {
            if (body == null) {
                HttpEntity entity = response.getEntity();
                body = entity == null ? InputStream.nullInputStream() : entity.getContent();
                buffer = new byte[READ_SIZE];
            }
            n = body.read(buffer);
        } catch (IOException e) {
            finish();
            return call.failed(e);
        }
        if (n < 0) {
            finish();
            bodyComplete = true;
            return END;
        }
        total += n;
        if (total > maxBodyBytes) {
            finish();
            return new Failed(new AnswerTooLargeException(maxBodyBytes));
        }
        return new Data(buffer, n);
    }

    /** No more reads: the clock lets the call go (its deadlines and beats were for them). */
    private void finish() {
        finished = true;
        call.stopAlarm();
    }

    /**
     * Whether more of the body is already here, so that reading it will not wait: when none is,
     * what was converted should reach the client first. HttpClient counts only the current chunk
     * of a chunked body, so a burst of small chunks reads as nothing more after each one.
     */
    public boolean hasReady() {
        try {
            return body != null && body.available() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Done with the answer, on the thread that read it, once: its connection goes back to the
     * pool when the body was read whole, else it is dropped at once (never read to its end first:
     * the upstream may not end).
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            call.release(response, bodyComplete);
        }
    }
}
