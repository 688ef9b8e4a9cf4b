package dev.claudeproxy.upstream;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The webapp's one clock: a single thread that owns every deadline of the exchanges' upstream
 * calls (first byte, silence, the whole exchange) and of their streams' keep-alive, and the
 * request bodies' periodic check. It never reads and never writes: when a call's deadline passes it
 * records why and aborts the call, so that the exchange's thread, blocked in the read, learns it
 * from the read and reports it; when a stream's ping is due it hands the ping to
 * {@link #beats}, a thread that may block on a slow client without holding up the clock.
 *
 * <p>A call arms one alarm at a time, moved only when it rings or when a deadline comes nearer:
 * the chunks of an answer move its deadline without touching the clock.
 */
public final class CallClock implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CallClock.class.getName());

    private final ScheduledThreadPoolExecutor timer;
    private final Executor beats;

    /**
     * @param clockThread makes the clock's one thread
     * @param beats runs a stream's keep-alive ping when it is due (rarely: once per keep-alive interval of silence)
     */
    public CallClock(ThreadFactory clockThread, Executor beats) {
        this.timer = new ScheduledThreadPoolExecutor(1, clockThread);
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.beats = beats;
    }

    /** Runs {@code task} on the clock's thread at {@code nanoTime} ({@link System#nanoTime}); null once the clock is closed. */
    ScheduledFuture<?> at(long nanoTime, Runnable task) {
        try {
            return timer.schedule(task, nanoTime - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    /** Runs {@code task} on the clock's thread every {@code period}, until the clock is closed. */
    public void every(Duration period, Runnable task) {
        timer.scheduleWithFixedDelay(task, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs a beat (a ping, which writes to a client) off the clock's thread; false when it cannot any more. */
    boolean beat(Runnable beat) {
        try {
            beats.execute(beat);
            return true;
        } catch (RejectedExecutionException stopping) {
            LOG.log(Level.FINE, "the gateway is stopping: a keep-alive ping is skipped", stopping);
            return false;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    public boolean awaitTermination(Duration limit) throws InterruptedException {
        return timer.awaitTermination(limit.toNanos(), TimeUnit.NANOSECONDS);
    }
}
