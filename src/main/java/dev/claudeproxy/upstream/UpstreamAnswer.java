package dev.claudeproxy.upstream;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;

/**
 * An upstream's answer whose head has arrived; its body arrives piece by piece through
 * {@link #next}, read by the call's own thread. Whoever holds the answer closes it; closing before
 * the body was read to its end drops the connection, which is how an upstream is stopped when the
 * client has gone.
 */
public final class UpstreamAnswer implements AutoCloseable {

    /** What the exchange gets from {@link #next}. */
    public sealed interface Piece permits Data, End, Failed, Waited {
    }

    /** Bytes of the body, in order. */
    public record Data(byte[] bytes) implements Piece, UpstreamCall.Piece {
    }

    /** The body ended. */
    public record End() implements Piece, UpstreamCall.Piece {
    }

    /** Reading the body failed (the connection broke, or the body passed its bound). */
    public record Failed(IOException failure) implements Piece, UpstreamCall.Piece {
    }

    /** The deadline passed with nothing new. */
    public record Waited() implements Piece {
    }

    private static final Waited WAITED = new Waited();
    static final End END = new End();

    /** Read here for its head only: its body and its connection belong to the call's own thread. */
    private final ClassicHttpResponse response;
    private final UpstreamCall call;
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean finished;

    UpstreamAnswer(ClassicHttpResponse response, UpstreamCall call) {
        this.response = response;
        this.call = call;
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
     * The next piece of the body, waiting until {@code deadlineNanos} ({@link System#nanoTime}) at
     * most. One thread only (the exchange's); nothing may be asked after {@link End} or {@link Failed}.
     */
    public Piece next(long deadlineNanos) throws InterruptedException {
        if (finished) {
            throw new IllegalStateException("the body has already ended");
        }
        UpstreamCall.Piece piece = call.take(deadlineNanos);
        if (piece == null) {
            return WAITED;
        }
        // After the head, the call hands only the body's pieces.
        Piece bodyPiece = (Piece) piece;
        finished = !(bodyPiece instanceof Data);
        return bodyPiece;
    }

    /** Whether a piece is ready now: when none is, what was converted should reach the client before waiting. */
    public boolean hasReady() {
        return call.hasReady();
    }

    /**
     * Done with the answer, from any thread, once: its connection goes back to the pool when the
     * body was read whole, else it is dropped at once (never read to its end first: the upstream
     * may not end). The call's own thread releases the connection; this only tells it to.
     */
    @Override
    public void close() {
        if (!closed.getAndSet(true)) {
            call.release();
        }
    }
}
