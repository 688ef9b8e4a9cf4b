package dev.claudeproxy.servlet;

import dev.claudeproxy.anthropic.EventJson;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.sse.SseWriter;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one writer of a client's response once an exchange has it, and the one place that completes
 * it: stream events, pings, a JSON answer, and the error, whichever comes. Written by the
 * exchange's thread, and by the clock's beat when a silent stream's keep-alive ping is due, each
 * write under the stream's one lock, so no two writes can interleave; nothing is pinged once the
 * answer or the error is written, and nothing is written after completion.
 *
 * <p>The status is held back until the upstream has answered: an upstream failure before that is a
 * plain HTTP error, which the SDKs retry; after it, an SSE {@code error} event.
 */
final class ClientStream {

    private static final Logger LOG = Logger.getLogger(ClientStream.class.getName());
    private static final String PING = Json.write(new StreamEvent.Ping());

    private final HttpServletResponse proxyToClientResponse;
    private final Runnable complete;
    private final Trace trace;
    /** Held for every write, so that a ping written off the exchange's thread never cuts into its events. */
    private final ReentrantLock lock = new ReentrantLock();
    private SseWriter events;
    private volatile long lastByteNanos = System.nanoTime();
    /** The answer or the error was written: no more pings. */
    private boolean answered;
    /**
     * The container ended the response itself (the client's connection failed): from then on it
     * may recycle the response for another request, so nothing here touches it again.
     */
    private boolean containerEnded;
    /** Events written since the last flush: a flush without them sends the client nothing. */
    private boolean unflushed;
    private boolean completed;

    /** @param complete completes the request (the {@code AsyncContext}); run once, by {@link #complete()} */
    ClientStream(HttpServletResponse proxyToClientResponse, Runnable complete, Trace trace) {
        this.proxyToClientResponse = proxyToClientResponse;
        this.complete = complete;
        this.trace = trace;
    }

    /** Commits 200 and the event-stream headers (sent with the first flush), once: later calls do nothing. */
    void openEvents() {
        lock.lock();
        try {
            refuseOnceEnded();
            if (events != null) {
                return;
            }
            proxyToClientResponse.setStatus(200);
            proxyToClientResponse.setContentType("text/event-stream;charset=UTF-8");
            proxyToClientResponse.setHeader("Cache-Control", "no-cache");
            // Tells nginx-style front proxies not to buffer the stream.
            proxyToClientResponse.setHeader("X-Accel-Buffering", "no");
            try {
                events = new SseWriter(proxyToClientResponse.getOutputStream());
            } catch (IOException e) {
                throw new ClientGoneException(e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes events, unflushed: see {@link #flush()}. */
    void send(List<StreamEvent> converted) {
        lock.lock();
        try {
            refuseOnceEnded();
            try {
                for (StreamEvent event : converted) {
                    if (event instanceof StreamEvent.MessageDelta delta) {
                        trace.inputTokens = delta.usage().inputTokens();
                        trace.cachedTokens = delta.usage().cacheReadInputTokens();
                        trace.outputTokens = delta.usage().outputTokens();
                    }
                    events.write(event.type(), EventJson.of(event));
                    unflushed = true;
                    // Nothing after the stream's end, not even a ping.
                    answered |= event instanceof StreamEvent.MessageStop;
                }
            } catch (IOException e) {
                throw new ClientGoneException(e);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends what {@link #send} wrote: the exchange flushes when the upstream has nothing more ready.
     * Only a flush that sends events counts as the client's last byte (upstream bytes that made no
     * event must not put off its ping).
     */
    void flush() {
        lock.lock();
        try {
            refuseOnceEnded();
            if (!unflushed) {
                return;
            }
            send();
            trace.firstByte();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A keep-alive {@code ping} event, committing the stream first when nothing has been (200 and
     * its headers), and sent at once with what was written before it: a failed one means the client
     * has gone. Nothing once the answer or the error was written. A ping is not the answer's first
     * byte (the request log's {@code ttfb_ms} is the first event's).
     */
    void keepAlive() {
        lock.lock();
        try {
            refuseOnceEnded();
            if (answered) {
                return;
            }
            openEvents();
            boolean carriesEvents = unflushed;
            try {
                events.write("ping", PING);
            } catch (IOException e) {
                throw new ClientGoneException(e);
            }
            send();
            if (carriesEvents) {
                trace.firstByte();
            }
        } finally {
            lock.unlock();
        }
    }

    private void send() {
        unflushed = false;
        try {
            events.flush();
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
        lastByteNanos = System.nanoTime();
    }

    /** When the client last received a byte (or, before that, when the exchange began). */
    long lastByteNanos() {
        return lastByteNanos;
    }

    /** A whole JSON answer. */
    void answerJson(int status, String json) {
        lock.lock();
        try {
            refuseOnceEnded();
            answered = true;
            trace.firstByte();
            try {
                JsonResponse.write(proxyToClientResponse, status, json);
            } catch (IOException e) {
                throw new ClientGoneException(e);
            }
            lastByteNanos = System.nanoTime();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells the client about a failure: a JSON error while nothing is committed, an SSE
     * {@code error} event once the stream has begun, nothing when a JSON answer was already cut
     * (the client's parser reports that). A client that is gone is told nothing.
     */
    void fail(ProxyException failure) {
        lock.lock();
        try {
            if (containerEnded) {
                return;
            }
            answered = true;
            trace.errorType = failure.type().wireName();
            trace.firstByte();
            try {
                ErrorResponder.send(proxyToClientResponse, events, failure);
            } catch (RuntimeException recycled) {
                // After the client's connection failed, the container may have recycled the response.
                LOG.log(Level.FINE, trace.requestId + ": the response could not take the error any more", recycled);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * After a failed write to the client, answers an error anyway: were the connection still open,
     * completing the request would end it as a clean, empty or cut 200, which a client takes for a
     * whole answer. On a connection that has really gone this fails quietly.
     */
    void tellIfStillListening() {
        lock.lock();
        try {
            if (containerEnded) {
                return;
            }
            answered = true;
            try {
                if (events == null && proxyToClientResponse.isCommitted()) {
                    return; // a cut JSON body: the client's parser already reports it
                }
                ErrorResponder.send(proxyToClientResponse, events, new ProxyException(ErrorType.API,
                        "the gateway lost its connection to the client (request " + trace.requestId + ")"));
            } catch (RuntimeException recycled) {
                LOG.log(Level.FINE, trace.requestId + ": the response was already recycled", recycled);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The container has ended the response on its own (its {@code onError}, or {@code onComplete}):
     * taken under the lock, so a write under way finishes first, and none starts after it. Then
     * the exchange's writes end it as a departed client's, and its error and completion are not
     * written to a response that may already serve another request.
     */
    void containerEnded() {
        lock.lock();
        try {
            containerEnded = true;
            answered = true;
            completed = true;
        } finally {
            lock.unlock();
        }
    }

    private void refuseOnceEnded() {
        if (containerEnded) {
            throw new ClientGoneException(new IOException("the container ended the response: the client's connection failed"));
        }
    }

    /** Completes the request, once; a container that completed it already (the client left) is fine. */
    void complete() {
        lock.lock();
        try {
            answered = true;
            if (completed) {
                return;
            }
            completed = true;
            try {
                complete.run();
            } catch (RuntimeException alreadyCompleted) {
                // When the client's connection fails first, the container ends the async cycle itself.
                LOG.log(Level.FINE, trace.requestId + ": the container had already completed the request", alreadyCompleted);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The status the client got, or 499 when it left before the gateway could answer. */
    int status(boolean clientGone) {
        if (clientGone || containerEnded) {
            return Exchange.CLIENT_CLOSED_REQUEST;
        }
        try {
            return proxyToClientResponse.getStatus();
        } catch (RuntimeException recycled) {
            return Exchange.CLIENT_CLOSED_REQUEST;
        }
    }
}
