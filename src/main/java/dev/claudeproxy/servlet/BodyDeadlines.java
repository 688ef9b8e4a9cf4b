package dev.claudeproxy.servlet;

import dev.claudeproxy.upstream.CallClock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches request bodies still arriving: once a second, on the webapp's {@link CallClock}, it asks
 * each {@link BodyReader} whether its body is too slow or too late. It writes nothing to any client:
 * a reader that fails hands its answer to a container thread.
 */
final class BodyDeadlines {

    private final Set<BodyReader> reading = ConcurrentHashMap.newKeySet();

    BodyDeadlines(CallClock clock) {
        clock.every(Duration.ofSeconds(1), this::check);
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
}
