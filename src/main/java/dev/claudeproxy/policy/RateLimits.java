package dev.claudeproxy.policy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Requests and tokens per minute, and streams open at once, per user, on this node: a minute that
 * slides a second at a time. Thread-safe; a user's state is locked while it is changed. A
 * user idle for a minute with nothing open is forgotten, so the map holds only active users.
 */
public final class RateLimits {

    private static final long MINUTE_NANOS = 60_000_000_000L;
    private static final int SLOTS = 60;
    /**
     * The most users counted at once (about 1.5 KiB each). Past it, once the idle are swept, a new
     * user is asked to retry: where a user name is only a client's claim (no sign-in), a flood of
     * invented names is refused instead of growing the map; users already counted go on.
     */
    static final int MAX_USERS = 20_000;

    /** A refusal: which limit, and how long until it has room again. */
    public record Refusal(String message, Duration retryAfter) {
    }

    private final LongSupplier nanos;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    /** When the idle may next be swept (the sweep is over every window: once a second at most). */
    private final java.util.concurrent.atomic.AtomicLong nextSweep;

    public RateLimits(LongSupplier nanos) {
        this.nanos = nanos;
        this.nextSweep = new java.util.concurrent.atomic.AtomicLong(nanos.getAsLong());
    }

    /**
     * One user's last minute, in sixty one-second slots (requests and tokens per slot): constant
     * memory per user however fast they send, and a minute that slides a second at a time.
     */
    private static final class Window {
        final long[] second = new long[SLOTS];
        final long[] requests = new long[SLOTS];
        final long[] tokens = new long[SLOTS];
        int open;
        long lastUsed;

        /** The slot of this second, emptied when it last held an older second. */
        int slot(long nowSecond) {
            int index = (int) Math.floorMod(nowSecond, (long) SLOTS);
            if (second[index] != nowSecond) {
                second[index] = nowSecond;
                requests[index] = 0;
                tokens[index] = 0;
            }
            return index;
        }

        long sum(long[] counts, long nowSecond) {
            long total = 0;
            for (int i = 0; i < SLOTS; i++) {
                if (nowSecond - second[i] < SLOTS) {
                    total += counts[i];
                }
            }
            return total;
        }

        /** How long until the count of the last minute is below {@code limit}, as the oldest seconds leave it. */
        long nanosUntilBelow(long[] counts, long limit, long now) {
            long nowSecond = Math.floorDiv(now, 1_000_000_000L);
            long total = sum(counts, nowSecond);
            for (long oldest = nowSecond - SLOTS + 1; oldest <= nowSecond; oldest++) {
                int index = (int) Math.floorMod(oldest, (long) SLOTS);
                if (second[index] == oldest) {
                    total -= counts[index];
                }
                if (total < limit) {
                    return (oldest + SLOTS) * 1_000_000_000L - now;
                }
            }
            return MINUTE_NANOS;
        }

        boolean idle(long now) {
            return open == 0 && now - lastUsed >= MINUTE_NANOS;
        }
    }

    /**
     * Takes a place for one request of this caller, or says why not. A request taken must be
     * {@linkplain #end ended} once.
     */
    public Optional<Refusal> begin(Limits limits) {
        if (!limits.rateLimited()) {
            return Optional.empty();
        }
        long now = nanos.getAsLong();
        long nowSecond = Math.floorDiv(now, 1_000_000_000L);
        Window window = window(limits.user(), now);
        if (window == null) {
            return Optional.of(new Refusal("the gateway is counting " + MAX_USERS + " callers' limits at once, the most"
                    + " it holds; retry shortly", Duration.ofSeconds(1)));
        }
        synchronized (window) {
            window.lastUsed = now;
            if (limits.concurrentStreams().isPresent() && window.open >= limits.concurrentStreams().getAsLong()) {
                return Optional.of(new Refusal("you have " + window.open + " requests open at once, your limit ("
                        + "concurrent_streams); retry when one ends", Duration.ofSeconds(1)));
            }
            long sent = window.sum(window.requests, nowSecond);
            if (limits.requestsPerMinute().isPresent() && sent >= limits.requestsPerMinute().getAsLong()) {
                long wait = window.nanosUntilBelow(window.requests, limits.requestsPerMinute().getAsLong(), now);
                return Optional.of(new Refusal("you sent " + sent + " requests in the last minute, your"
                        + " limit (requests_per_minute)", Duration.ofNanos(Math.max(wait, 1_000_000))));
            }
            long used = window.sum(window.tokens, nowSecond);
            if (limits.tokensPerMinute().isPresent() && used >= limits.tokensPerMinute().getAsLong()) {
                long wait = window.nanosUntilBelow(window.tokens, limits.tokensPerMinute().getAsLong(), now);
                return Optional.of(new Refusal("you used " + used + " tokens in the last minute, your limit"
                        + " (tokens_per_minute)", Duration.ofNanos(Math.max(wait, 1_000_000))));
            }
            window.requests[window.slot(nowSecond)]++;
            window.open++;
            return Optional.empty();
        }
    }

    /** The user's window, new if need be; null past {@link #MAX_USERS} once the idle are swept (at most once a second). */
    private Window window(String user, long now) {
        Window window = windows.get(user);
        if (window != null) {
            return window;
        }
        long sweep = nextSweep.get();
        if (windows.size() >= MAX_USERS && now - sweep >= 0 && nextSweep.compareAndSet(sweep, now + 1_000_000_000L)) {
            windows.values().removeIf(idle -> {
                synchronized (idle) {
                    return idle.idle(now);
                }
            });
        }
        return windows.size() >= MAX_USERS ? null : windows.computeIfAbsent(user, key -> new Window());
    }

    /** A request taken by {@link #begin} has ended, having used these tokens. */
    public void end(Limits limits, long tokensUsed) {
        Window window = windows.get(limits.user());
        if (window == null) {
            return; // a window with a request open is never swept: this one was never taken
        }
        long now = nanos.getAsLong();
        synchronized (window) {
            window.open = Math.max(0, window.open - 1);
            if (tokensUsed > 0) {
                window.tokens[window.slot(Math.floorDiv(now, 1_000_000_000L))] += tokensUsed;
            }
            window.lastUsed = now;
        }
    }
}
