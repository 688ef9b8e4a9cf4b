package dev.claudeproxy.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.util.Timeout;

/**
 * One request to an upstream, carried out on the exchange's own thread: it sends the request,
 * waits for the answer's head and reads the body ({@link UpstreamAnswer#next}) itself, converting
 * and writing each piece before it reads the next. No second thread and no queue: when the
 * exchange falls behind (a slow client), it simply reads later, and the upstream's own flow
 * control holds the rest back.
 *
 * <p>Its deadlines are the webapp's {@link CallClock}'s to keep: the exchange names the deadline of
 * each wait ({@link #awaitHead}, {@link UpstreamAnswer#next}) and blocks; when the deadline passes
 * first, the clock records it and aborts the call, and the blocked read ends in an
 * {@link UpstreamAnswer.Expired}. When the stream's keep-alive is due meanwhile, the clock has the
 * {@link Heartbeat} beat off its own thread; a beat that fails (its client has gone) stops the
 * call, and the exchange's thread gets the beat's exception from its read. No socket timeout of the
 * HTTP client ever fires first: every deadline has one owner, the clock.
 *
 * <p>{@link #cancel} may be called from any thread at any time: it drops the connection, which
 * ends the call in whatever phase it is.
 */
public final class UpstreamCall {

    private static final Logger LOG = Logger.getLogger(UpstreamCall.class.getName());

    private final CloseableHttpClient client;
    private final HttpPost post;
    private final CallClock clock;
    private final long maxBodyBytes;
    private volatile boolean cancelled;
    /** The deadline of the exchange's current wait, a {@link System#nanoTime} instant; only the exchange moves it. */
    private volatile long deadlineNanos;
    private volatile Heartbeat heartbeat = Heartbeat.NONE;
    /** The clock stopped the call: a deadline passed. */
    private volatile boolean expired;
    /** What a beat threw (its client has gone), for the exchange's thread to throw. */
    private volatile Throwable beatFailure;
    // The alarm, guarded by this: one armed at a time, none once the call is over, one beat at a time.
    private ScheduledFuture<?> alarm;
    private volatile long alarmAt;
    private boolean beating;
    private boolean over;

    UpstreamCall(CloseableHttpClient client, HttpPost post, CallClock clock, long maxBodyBytes, Duration safetyNet) {
        this.client = client;
        this.post = post;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
        // The clock owns every deadline; the client's own timeout is only a net under it.
        post.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(safetyNet))
                .setConnectionRequestTimeout(Timeout.of(safetyNet)).setRedirectsEnabled(false).build());
    }

    /**
     * Sends the request and waits for the answer's status and headers, whatever the status, until
     * {@code deadlineNanos}, on the calling thread.
     *
     * @param firstByte the first-byte timeout, for the message when it passes
     * @param heartbeat what is due while the call waits, from now until the answer is closed (a stream's ping to its client)
     * @throws UpstreamFailure when no answer came: unreachable, refused, timed out or cancelled
     */
    public UpstreamAnswer awaitHead(long deadlineNanos, Duration firstByte, Heartbeat heartbeat) throws UpstreamFailure {
        if (cancelled) {
            throw cancelledFailure(null);
        }
        this.heartbeat = heartbeat;
        this.deadlineNanos = deadlineNanos;
        rearm();
        try {
            return new UpstreamAnswer(client.executeOpen(null, post, null), this, maxBodyBytes);
        } catch (IOException e) {
            stopAlarm();
            throwBeatFailure();
            if (timedOut()) {
                throw new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "upstream " + post.getAuthority()
                        + " did not answer within " + firstByte.toSeconds() + " s", e);
            }
            throw failure(e);
        }
    }

    /** Stops the call, whatever phase it is in: the connection is dropped and a blocked read ends. */
    public void cancel() {
        cancelled = true;
        post.cancel();
    }

    /**
     * The exchange's next wait ends at {@code deadlineNanos}. A later deadline is only noted (the
     * alarm finds it when it rings, so a stream's chunks never touch the clock); a nearer one moves
     * the alarm.
     */
    void until(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
        if (deadlineNanos - alarmAt < 0) {
            rearm();
        }
    }

    /** What a failed read of the body means: a deadline passed, the client left (its beat's exception), or the read's own failure. */
    UpstreamAnswer.Piece failed(IOException failure) {
        throwBeatFailure();
        return timedOut() ? UpstreamAnswer.EXPIRED : new UpstreamAnswer.Failed(failure);
    }

    /** The clock stopped the call at a deadline, and nobody cancelled it (a cancel says why itself). */
    private boolean timedOut() {
        return expired && !cancelled;
    }

    private void throwBeatFailure() {
        Throwable failure = beatFailure;
        if (failure instanceof RuntimeException stop) {
            throw stop;
        }
        if (failure instanceof Error stop) {
            throw stop;
        }
    }

    /**
     * Sets the alarm for the nearer of the current deadline and the heartbeat, both read under the
     * lock: whoever sets it last (the exchange moving its deadline nearer, the clock after a ring
     * or a beat) sets it from the latest deadline.
     */
    private synchronized void rearm() {
        long deadline = deadlineNanos;
        arm(heartbeat.wakeBy(deadline));
    }

    private synchronized void arm(long atNanos) {
        if (over) {
            return;
        }
        if (alarm != null) {
            alarm.cancel(false);
        }
        alarmAt = atNanos;
        alarm = clock.at(atNanos, this::ring);
    }

    /** On the clock's thread: the deadline passed, or a beat is due, or neither yet (they moved) and the alarm is set again. */
    private void ring() {
        long now = System.nanoTime();
        long deadline = deadlineNanos;
        if (now - deadline >= 0) {
            expired = true;
            post.cancel();
            return;
        }
        if (now - heartbeat.due() < 0) {
            rearm();
            return;
        }
        synchronized (this) {
            if (beating || over) {
                return;
            }
            beating = true;
        }
        if (!clock.beat(this::beat)) {
            synchronized (this) {
                beating = false;
            }
            arm(deadline);
        }
    }

    /** Off the clock's thread: the heartbeat beats; one that throws (its client has gone) stops the call. */
    private void beat() {
        try {
            heartbeat.beat();
        } catch (RuntimeException | Error stop) {
            beatFailure = stop;
            cancel();
            return;
        } finally {
            synchronized (this) {
                beating = false;
            }
        }
        rearm();
    }

    synchronized void stopAlarm() {
        over = true;
        if (alarm != null) {
            alarm.cancel(false);
        }
    }

    /**
     * The exchange is done with the answer: the clock lets the call go, and the connection goes
     * back to the pool when the body was read whole, else it is dropped, never read to its end
     * first (the upstream may not end).
     */
    void release(ClassicHttpResponse response, boolean bodyComplete) {
        stopAlarm();
        if (!bodyComplete) {
            post.cancel();
        }
        try {
            response.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "releasing an upstream answer failed; its connection is dropped", e);
        }
    }

    private UpstreamFailure failure(IOException e) {
        String upstream = post.getAuthority().toString();
        if (cancelled) {
            return cancelledFailure(e);
        }
        if (e instanceof RefusedAddressException) {
            return new UpstreamFailure(UpstreamFailure.Kind.REFUSED, e.getMessage(), e);
        }
        if (answeredInPlainHttp(e)) {
            return new UpstreamFailure(UpstreamFailure.Kind.PLAIN_HTTP, "upstream " + upstream
                    + " answered in plain HTTP where TLS was asked for: it serves http, not https", e);
        }
        return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "upstream " + upstream
                + " could not be reached (" + why(e) + ")", e);
    }

    private UpstreamFailure cancelledFailure(Exception cause) {
        return new UpstreamFailure(UpstreamFailure.Kind.CANCELLED, "the call to upstream " + post.getAuthority()
                + " was cancelled", cause);
    }

    /**
     * Whether a TLS handshake failed because the peer answered in plain HTTP: the JDK's own words
     * when a server's first bytes are no TLS record ("Unsupported or unrecognized SSL message").
     */
    static boolean answeredInPlainHttp(IOException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException && cause.getMessage() != null
                    && cause.getMessage().contains("nrecognized SSL message")) {
                return true;
            }
        }
        return false;
    }

    /** The first cause worth telling, in words an operator acts on. */
    static String why(IOException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectTimeoutException) {
                return "connecting timed out";
            }
            if (cause instanceof UnknownHostException) {
                return "unknown host";
            }
            if (cause instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (cause instanceof ConnectException) {
                return "connection refused";
            }
            if (cause instanceof NoHttpResponseException) {
                return "it closed the connection without answering";
            }
            if (cause instanceof SSLException) {
                return "TLS failed: " + cause.getMessage();
            }
            if (cause instanceof InterruptedIOException) {
                return "timed out";
            }
        }
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
