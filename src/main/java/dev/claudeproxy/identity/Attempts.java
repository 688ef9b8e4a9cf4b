package dev.claudeproxy.identity;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sign-in attempts per client address, in one-minute windows: past the limit, the address waits
 * for the next window. The map is emptied with each window, so it holds at most one window's addresses.
 */
public final class Attempts {

    private final int perMinute;
    private final Clock clock;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private volatile long window;

    public Attempts(int perMinute, Clock clock) {
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** Counts one attempt from this address; false when it is past the limit of this minute. */
    public boolean allow(String address) {
        long now = clock.millis() / 60_000;
        if (now != window) {
            synchronized (this) {
                if (now != window) {
                    counts.clear();
                    window = now;
                }
            }
        }
        return counts.computeIfAbsent(address, any -> new AtomicInteger()).incrementAndGet() <= perMinute;
    }
}
