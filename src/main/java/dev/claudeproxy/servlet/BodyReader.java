package dev.claudeproxy.servlet;

import dev.claudeproxy.config.Settings;
import dev.claudeproxy.config.Settings.Timeouts;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads a request body without holding a thread while the client sends it: the container calls
 * back when bytes are there ({@link ReadListener}), and the body goes to {@code onBody} once whole.
 * So a client that sends one byte every few seconds holds a socket and the bytes it sent, never a
 * worker or a container thread.
 *
 * <p>Bounds: the body's size ({@code MAX_REQUEST_BYTES}, 413), the request bytes of all bodies in
 * flight together ({@link BodyBudget}, 529), the time the whole body may take
 * ({@code CLIENT_BODY_TIMEOUT_SECONDS}) and the slowest average rate it may arrive at
 * ({@code CLIENT_BODY_MIN_BYTES_PER_SECOND}), both 408, checked by {@link BodyDeadlines} once a
 * second. A failure is answered through an async dispatch, on a container thread: no timer writes
 * to a client.
 *
 * <p>Callbacks come from container threads, the check from the deadline thread: every change of
 * state happens under one lock, and only the first of body, failure or client error counts.
 */
final class BodyReader implements ReadListener {

    /** The request attribute that carries a failure to the dispatch that answers it. */
    static final String FAILURE = BodyReader.class.getName() + ".failure";
    /** How long a body may arrive slowly before its rate is held against it. */
    private static final long RATE_GRACE_NANOS = 5_000_000_000L;

    private static final Logger LOG = Logger.getLogger(BodyReader.class.getName());

    private enum State { READING, DONE, FAILED }

    private final AsyncContext asyncContext;
    private final ServletInputStream in;
    private final long maxBytes;
    private final BodyBudget budget;
    private final Timeouts timeouts;
    private final Consumer<ReadBody> onBody;
    private final Runnable onClientGone;
    private final long declaredLength;
    private final String limit;
    private final long startNanos = System.nanoTime();
    private BodyDeadlines deadlines;
    private byte[] body;
    private int length;
    private long reserved;
    private State state = State.READING;

    /**
     * @param declaredLength the body's {@code Content-Length}, or -1
     * @param limit what {@code maxBytes} is, named when a body passes it ({@code MAX_REQUEST_BYTES})
     * @param onBody gets the whole body, on the container thread that read its end
     * @param onClientGone told when the client's connection failed while it sent
     */
    BodyReader(AsyncContext asyncContext, ServletInputStream in, long declaredLength, long maxBytes, String limit,
               BodyBudget budget, Timeouts timeouts, Consumer<ReadBody> onBody, Runnable onClientGone) {
        this.limit = limit;
        this.asyncContext = asyncContext;
        this.in = in;
        this.maxBytes = maxBytes;
        this.budget = budget;
        this.timeouts = timeouts;
        this.onBody = onBody;
        this.onClientGone = onClientGone;
        this.declaredLength = declaredLength;
        this.body = new byte[(int) Math.max(0, Math.min(declaredLength, maxBytes))];
    }

    /**
     * Reserves the declared length and starts reading. A body the budget cannot take is refused
     * before a byte is read.
     *
     * @throws ProxyException 529 when the budget is spent
     */
    void start(BodyDeadlines deadlines) {
        if (body.length > 0 && !reserve(body.length)) {
            throw BodyBudget.spent();
        }
        this.deadlines = deadlines;
        deadlines.watch(this);
        in.setReadListener(this);
    }

    /**
     * Reads straight into the body, which grows by doubling when no length was declared. A body
     * with a {@code Content-Length} is whole when that many bytes have arrived, whatever the
     * container says: Grizzly (GlassFish, Payara) sometimes calls {@link #onAllDataRead} before the
     * last bytes are readable and offers them afterwards, and a body taken at that call is cut
     * short, its rest read as the connection's next request.
     */
    @Override
    public void onDataAvailable() throws IOException {
        ReadBody whole = null;
        synchronized (this) {
            while (state == State.READING && in.isReady()) {
                if (length == body.length) {
                    // Full with no length declared: one byte decides between the end and growing.
                    int next = in.read();
                    if (next < 0) {
                        break; // onAllDataRead follows
                    }
                    if (length == maxBytes) {
                        fail(ClientRequests.tooLarge(maxBytes, limit));
                        return;
                    }
                    if (!grow(length + 1)) {
                        fail(BodyBudget.spent());
                        return;
                    }
                    body[length++] = (byte) next;
                    continue;
                }
                int n = in.read(body, length, body.length - length);
                if (n < 0) {
                    break; // onAllDataRead follows
                }
                length += n;
                if (length == declaredLength) {
                    whole = whole();
                    break;
                }
            }
        }
        deliver(whole);
    }

    @Override
    public void onAllDataRead() {
        ReadBody whole;
        synchronized (this) {
            if (state != State.READING) {
                return;
            }
            if (declaredLength >= 0 && length < declaredLength) {
                LOG.fine(() -> "the container reported the end of a body at " + length + " of its " + declaredLength
                        + " bytes; waiting for the rest");
                return;
            }
            whole = whole();
        }
        deliver(whole);
    }

    /** The body as it is now, taken: the reader is done. Holds the lock. */
    private ReadBody whole() {
        state = State.DONE;
        ReadBody whole = new ReadBody(length == body.length ? body : Arrays.copyOf(body, length), reserved, budget);
        body = null;
        return whole;
    }

    /** Hands a whole body on, outside the lock; nothing when {@code whole} is null. */
    private void deliver(ReadBody whole) {
        if (whole != null) {
            deadlines.unwatch(this);
            onBody.accept(whole);
        }
    }

    @Override
    public void onError(Throwable failure) {
        synchronized (this) {
            if (state != State.READING) {
                return;
            }
            state = State.FAILED;
            body = null;
            budget.release(reserved);
        }
        deadlines.unwatch(this);
        LOG.log(Level.FINE, "the client's connection failed while it sent its body", failure);
        onClientGone.run();
    }

    /** Called once a second by {@link BodyDeadlines}. @return whether the reader is still waiting for its body */
    synchronized boolean check(long nowNanos) {
        if (state != State.READING) {
            return false;
        }
        long elapsed = nowNanos - startNanos;
        if (elapsed >= timeouts.clientBody().toNanos()) {
            fail(new ProxyException(408, ErrorType.TIMEOUT, "the request body did not arrive within "
                    + timeouts.clientBody().toSeconds() + " s (" + Settings.CLIENT_BODY_TIMEOUT_SECONDS + ")", Map.of()));
        } else if (elapsed >= RATE_GRACE_NANOS
                && length * 1_000_000_000.0 / elapsed < timeouts.clientBodyMinBytesPerSecond()) {
            fail(new ProxyException(408, ErrorType.TIMEOUT, "the request body arrived slower than "
                    + timeouts.clientBodyMinBytesPerSecond() + " bytes a second (" + Settings.CLIENT_BODY_MIN_BYTES_PER_SECOND
                    + ")", Map.of()));
        }
        return state == State.READING;
    }

    /** Ends the read with an error, answered on a container thread through an async dispatch. Holds the lock. */
    private void fail(ProxyException failure) {
        state = State.FAILED;
        body = null;
        budget.release(reserved);
        deadlines.unwatch(this);
        asyncContext.getRequest().setAttribute(FAILURE, failure);
        asyncContext.dispatch();
    }

    /** Room for {@code needed} bytes, from the budget; doubling keeps copies few. Holds the lock. */
    private boolean grow(int needed) {
        long size = Math.min(maxBytes, Math.max(needed, Math.max(8192, (long) body.length * 2)));
        if (!reserve(size - body.length)) {
            return false;
        }
        body = Arrays.copyOf(body, (int) size);
        return true;
    }

    private boolean reserve(long bytes) {
        if (!budget.reserve(bytes)) {
            return false;
        }
        reserved += bytes;
        return true;
    }
}
