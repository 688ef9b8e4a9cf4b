package dev.claudeproxy.call;

import dev.claudeproxy.upstream.Heartbeat;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one way an exchange is stopped from outside (its client left, the gateway is stopping):
 * {@link #cancel} from any thread stops the upstream work under way, whatever phase it is in
 * (connecting, waiting for the head, reading the body, waiting before a retry), and every later
 * phase sees it cancelled before it starts.
 */
public final class Cancellation {

    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final AtomicReference<Runnable> stopCurrent = new AtomicReference<>();

    public void cancel() {
        cancelled.countDown();
        Runnable stop = stopCurrent.get();
        if (stop != null) {
            stop.run();
        }
    }

    public boolean isCancelled() {
        return cancelled.getCount() == 0;
    }

    /** Names how to stop the work now under way; run at once when already cancelled. Stops must be idempotent. */
    public void watch(Runnable stop) {
        stopCurrent.set(stop);
        if (isCancelled()) {
            stop.run();
        }
    }

    /**
     * Waits {@code wait}, the heartbeat beating whenever it is due meanwhile (a beat that throws
     * ends the wait with its exception); false when cancelled first.
     */
    public boolean sleep(Duration wait, Heartbeat heartbeat) {
        long end = System.nanoTime() + wait.toNanos();
        try {
            for (long now = System.nanoTime(); now - end < 0; now = System.nanoTime()) {
                if (cancelled.await(heartbeat.wakeBy(end) - now, TimeUnit.NANOSECONDS)) {
                    return false;
                }
                if (System.nanoTime() - end < 0) {
                    heartbeat.beat();
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
