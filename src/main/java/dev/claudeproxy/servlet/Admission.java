package dev.claudeproxy.servlet;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one admission limit of the gateway ({@code MAX_CONCURRENT_EXCHANGES}): an exchange runs on
 * a worker only when a place is free, on every Java version; past the limit the caller answers 529
 * {@code overloaded_error}, which clients retry. Workers are started on demand: virtual threads on
 * Java 21+, else platform threads that a pool starts only when none is idle and lets go after a
 * minute without work.
 */
final class Admission implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Admission.class.getName());

    private final int limit;
    private final Semaphore places;
    private final ExecutorService workers;

    /** @param platformThreads makes the workers on Java 17 */
    Admission(int limit, ThreadFactory platformThreads) {
        this.limit = limit;
        this.places = new Semaphore(limit);
        this.workers = newWorkers(limit, platformThreads, "exchanges");
    }

    /** Runs {@code work} on a worker when a place is free. @return false, running nothing, when none is */
    boolean tryRun(Runnable work) {
        if (!places.tryAcquire()) {
            return false;
        }
        try {
            workers.execute(() -> {
                try {
                    work.run();
                } finally {
                    places.release();
                }
            });
            return true;
        } catch (RuntimeException rejected) {
            places.release();
            LOG.log(Level.WARNING, "a worker could not be started", rejected);
            return false;
        }
    }

    int limit() {
        return limit;
    }

    /** The places free now: none means every request past this moment gets 529. */
    int free() {
        return places.availablePermits();
    }

    /**
     * An executor of threads started on demand: one virtual thread per task on Java 21+, else a pool
     * of platform threads from {@code platformThreads}, at most {@code max}, kept a minute when idle.
     */
    static ExecutorService newWorkers(int max, ThreadFactory platformThreads, String what) {
        try {
            Method virtual = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            LOG.fine(() -> what + " run on virtual threads");
            return (ExecutorService) virtual.invoke(null);
        } catch (NoSuchMethodException java17) {
            LOG.fine(() -> what + " run on platform threads (Java 21+ would use virtual threads)");
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "virtual threads unavailable for " + what + "; using platform threads", e);
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, max, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                platformThreads);
        return pool;
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }

    boolean awaitTermination(long seconds) throws InterruptedException {
        return workers.awaitTermination(seconds, TimeUnit.SECONDS);
    }
}
