package dev.claudeproxy.servlet;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that watches request bodies still arriving: once a second it asks each
 * {@link BodyReader} whether its body is too slow or too late. It writes nothing to any client: a
 * reader that fails hands its answer to a container thread.
 */
final class BodyDeadlines implements AutoCloseable {

    private final Set<BodyReader> reading = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor timer;

    BodyDeadlines(ThreadFactory threads) {
        timer = new ScheduledThreadPoolExecutor(1, threads);
        timer.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    void watch(BodyReader reader) {
        reading.add(reader);
    }

    /**
     * The reader's body has arrived, or failed: it is let go at once, not at the next check, so
     * that a busy gateway does not keep a second's worth of finished readers (and what they
     * reference) alive into the old generation.
     */
    void unwatch(BodyReader reader) {
        reading.remove(reader);
    }

    /** The bodies still arriving. */
    int watching() {
        return reading.size();
    }

    private void check() {
        long now = System.nanoTime();
        reading.removeIf(reader -> !reader.check(now));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    boolean awaitTermination(long seconds) throws InterruptedException {
        return timer.awaitTermination(seconds, TimeUnit.SECONDS);
    }
}
