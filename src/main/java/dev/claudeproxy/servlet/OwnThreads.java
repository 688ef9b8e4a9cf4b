package dev.claudeproxy.servlet;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the webapp's platform threads and remembers them, so that shutdown can wait until each
 * has really exited: an executor's {@code awaitTermination} returns while its last threads are
 * still unwinding, and a container that sees them alive reports a leak.
 */
final class OwnThreads implements ThreadFactory {

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();
    private final Queue<Thread> started = new ConcurrentLinkedQueue<>();

    OwnThreads(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable runnable) {
        Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
        thread.setDaemon(true);
        started.removeIf(old -> !old.isAlive());
        started.add(thread);
        return thread;
    }

    /** Waits up to {@code limit} in all for every thread made here to exit. */
    void join(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread thread : started) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedJoin(thread, left);
        }
    }
}
