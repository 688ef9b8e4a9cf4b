package dev.claudeproxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.util.Timeout;

/**
 * One request to an upstream, carried out by a thread of its own (the call's reader): it sends the
 * request, waits for the answer's head, then reads the body, handing each piece over through a
 * short queue. The exchange's one thread waits on that queue with its own deadlines
 * ({@link #awaitHead}, {@link UpstreamAnswer#next}), so it is never stuck in a read: when a deadline
 * passes it writes a keep-alive ping, or ends the exchange, itself. No socket timeout of the HTTP
 * client ever fires first: every deadline has one owner, the exchange.
 *
 * <p>When the exchange falls behind (a slow client), the queue fills, the reader stops reading,
 * and the upstream's own flow control holds the rest back. {@link #cancel} may be called from any
 * thread at any time: it drops the connection, which ends the reader in whatever phase it is.
 */
public final class UpstreamCall implements Runnable {

    /**
     * What the exchange takes from the queue: the head, or no answer, then the body's own pieces
     * ({@link UpstreamAnswer.Data}, {@link UpstreamAnswer.End}, {@link UpstreamAnswer.Failed}),
     * which {@link UpstreamAnswer#next} hands on as they are.
     */
    sealed interface Piece permits Head, NoAnswer, UpstreamAnswer.Data, UpstreamAnswer.End, UpstreamAnswer.Failed {
    }

    /** The answer's status and headers arrived. */
    record Head(UpstreamAnswer answer) implements Piece {
    }

    /** No answer came. */
    record NoAnswer(UpstreamFailure failure) implements Piece {
    }

    private static final Logger LOG = Logger.getLogger(UpstreamCall.class.getName());
    /** The reader's buffer, held for as long as the answer lasts: the connection's own buffer's size. */
    private static final int READ_SIZE = UpstreamClient.CONNECTION_BUFFER_BYTES;
    private static final int QUEUE_PIECES = 8;

    private final CloseableHttpClient client;
    private final HttpPost post;
    private final Executor readers;
    private final long maxBodyBytes;
    private final BlockingQueue<Piece> pieces = new ArrayBlockingQueue<>(QUEUE_PIECES);
    private volatile boolean cancelled;
    private volatile boolean bodyComplete;
    /** The exchange is done with the answer: nothing more is handed. */
    private volatile boolean released;

    UpstreamCall(CloseableHttpClient client, HttpPost post, Executor readers, long maxBodyBytes, Duration safetyNet) {
        this.client = client;
        this.post = post;
        this.readers = readers;
        this.maxBodyBytes = maxBodyBytes;
        // The exchange owns every deadline; the client's own timeout only frees a reader whose exchange is gone.
        post.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(safetyNet))
                .setConnectionRequestTimeout(Timeout.of(safetyNet)).setRedirectsEnabled(false).build());
    }

    /**
     * Sends the request (on the reader) and waits for the answer's status and headers, whatever
     * the status, until {@code deadlineNanos}.
     *
     * @param firstByte the first-byte timeout, for the message when it passes
     * @param heartbeat what the wait does whenever it is due (a stream's ping to its client)
     * @throws UpstreamFailure when no answer came: unreachable, refused, timed out or cancelled
     */
    public UpstreamAnswer awaitHead(long deadlineNanos, Duration firstByte, Heartbeat heartbeat) throws UpstreamFailure {
        if (cancelled) {
            throw cancelledFailure(null);
        }
        readers.execute(this);
        Piece piece;
        try {
            piece = take(heartbeat.wakeBy(deadlineNanos));
            while (piece == null && System.nanoTime() - deadlineNanos < 0) {
                beat(heartbeat);
                piece = take(heartbeat.wakeBy(deadlineNanos));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            throw cancelledFailure(e);
        }
        if (piece instanceof Head head) {
            return head.answer();
        }
        if (piece instanceof NoAnswer noAnswer) {
            throw noAnswer.failure();
        }
        cancel();
        throw new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "upstream " + post.getAuthority()
                + " did not answer within " + firstByte.toSeconds() + " s", null);
    }

    /** A beat that ends the wait (its client has gone) stops the call before it is passed on. */
    private void beat(Heartbeat heartbeat) {
        try {
            heartbeat.beat();
        } catch (RuntimeException | Error stop) {
            cancel();
            throw stop;
        }
    }

    /** Stops the call, whatever phase it is in: the connection is dropped and the reader ends. */
    public void cancel() {
        cancelled = true;
        post.cancel();
    }

    public boolean cancelled() {
        return cancelled;
    }

    /**
     * The reader: the request, the head, then the body piece by piece. The response is this
     * thread's alone from its head to its release: HttpClient's connections are not safe for two
     * threads (a close from another thread while this one reads corrupted the connection's buffer).
     * A body not read to its end has its connection dropped, never drained: the upstream may not end.
     */
    @Override
    public void run() {
        ClassicHttpResponse response;
        try {
            response = client.executeOpen(null, post, null);
        } catch (IOException e) {
            hand(new NoAnswer(failure(e)));
            return;
        }
        try {
            if (hand(new Head(new UpstreamAnswer(response, this)))) {
                readBody(response.getEntity());
            }
        } finally {
            if (!bodyComplete) {
                post.cancel();
            }
            release(response);
        }
    }

    private void readBody(HttpEntity entity) {
        byte[] buffer = new byte[READ_SIZE];
        long total = 0;
        try {
            InputStream body = entity == null ? InputStream.nullInputStream() : entity.getContent();
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                total += n;
                if (total > maxBodyBytes) {
                    hand(new UpstreamAnswer.Failed(new AnswerTooLargeException(maxBodyBytes)));
                    return;
                }
                if (!hand(new UpstreamAnswer.Data(Arrays.copyOf(buffer, n)))) {
                    return;
                }
            }
            bodyComplete = true;
            hand(UpstreamAnswer.END);
        } catch (IOException e) {
            hand(new UpstreamAnswer.Failed(e));
        }
    }

    /** Gives the connection back to the pool when the body was read whole, else discards it (it was dropped). */
    private static void release(ClassicHttpResponse response) {
        try {
            response.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "releasing an upstream answer failed; its connection is dropped", e);
        }
    }

    /**
     * The exchange is done with the answer: a call whose body was not read to its end is
     * cancelled (its connection dropped), and the reader hands nothing more.
     */
    void release() {
        released = true;
        if (!bodyComplete) {
            cancel();
        }
    }

    /** Waits while the exchange is behind; gives up, false, once the call is cancelled. */
    private boolean hand(Piece piece) {
        try {
            while (!pieces.offer(piece, 1, TimeUnit.SECONDS)) {
                if (cancelled || released) {
                    return false;
                }
            }
            return !cancelled && !released;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The next piece, waiting until {@code deadlineNanos} at most; null when it passed. */
    Piece take(long deadlineNanos) throws InterruptedException {
        long wait = deadlineNanos - System.nanoTime();
        return wait <= 0 ? pieces.poll() : pieces.poll(wait, TimeUnit.NANOSECONDS);
    }

    boolean hasReady() {
        return !pieces.isEmpty();
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
