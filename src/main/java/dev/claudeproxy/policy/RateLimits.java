package dev.claudeproxy.policy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Requests and tokens per minute, and streams open at once, per user, on this node: a sliding
 * minute of what each user did. Thread-safe; a user's state is locked while it is changed. A
 * user idle for a minute with nothing open is forgotten, so the map holds only active users.
 */
public final class RateLimits {

    private static final long MINUTE_NANOS = 60_000_000_000L;

    /** A refusal: which limit, and how long until it has room again. */
    public record Refusal(String message, Duration retryAfter) {
    }

    private final LongSupplier nanos;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public RateLimits(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** One user's last minute. */
    private static final class Window {
        final Deque<Long> requests = new ArrayDeque<>();
        final Deque<long[]> tokens = new ArrayDeque<>();
        long tokenSum;
        int open;
        long lastUsed;

        void prune(long now) {
            while (!requests.isEmpty() && now - requests.peekFirst() >= MINUTE_NANOS) {
                requests.pollFirst();
            }
            while (!tokens.isEmpty() && now - tokens.peekFirst()[0] >= MINUTE_NANOS) {
                tokenSum -= tokens.pollFirst()[1];
            }
        }
    }

    /**
     * Takes a place for one request of this caller, or says why not. A request taken must be
     * {@linkplain #end ended} once.
     */
    public Optional<Refusal> begin(Limits limits) {
        if (limits.requestsPerMinute().isEmpty() && limits.tokensPerMinute().isEmpty()
                && limits.concurrentStreams().isEmpty()) {
            return Optional.empty();
        }
        long now = nanos.getAsLong();
        Window window = windows.computeIfAbsent(limits.user(), user -> new Window());
        synchronized (window) {
            window.prune(now);
            window.lastUsed = now;
            if (limits.concurrentStreams().isPresent() && window.open >= limits.concurrentStreams().getAsLong()) {
                return Optional.of(new Refusal("you have " + window.open + " requests open at once, your limit ("
                        + "concurrent_streams); retry when one ends", Duration.ofSeconds(1)));
            }
            if (limits.requestsPerMinute().isPresent() && window.requests.size() >= limits.requestsPerMinute().getAsLong()) {
                long wait = window.requests.isEmpty() ? MINUTE_NANOS : MINUTE_NANOS - (now - window.requests.peekFirst());
                return Optional.of(new Refusal("you sent " + window.requests.size() + " requests in the last minute, your"
                        + " limit (requests_per_minute)", Duration.ofNanos(Math.max(wait, 1_000_000))));
            }
            if (limits.tokensPerMinute().isPresent() && window.tokenSum >= limits.tokensPerMinute().getAsLong()) {
                long wait = MINUTE_NANOS;
                long left = window.tokenSum;
                for (long[] used : window.tokens) { // room comes back as the oldest tokens leave the minute
                    left -= used[1];
                    if (left < limits.tokensPerMinute().getAsLong()) {
                        wait = MINUTE_NANOS - (now - used[0]);
                        break;
                    }
                }
                return Optional.of(new Refusal("you used " + window.tokenSum + " tokens in the last minute, your limit"
                        + " (tokens_per_minute)", Duration.ofNanos(Math.max(wait, 1_000_000))));
            }
            window.requests.addLast(now);
            window.open++;
            return Optional.empty();
        }
    }

    /** A request taken by {@link #begin} has ended, having used these tokens. */
    public void end(Limits limits, long tokensUsed) {
        Window window = windows.get(limits.user());
        if (window == null) {
            return;
        }
        long now = nanos.getAsLong();
        synchronized (window) {
            window.open = Math.max(0, window.open - 1);
            if (tokensUsed > 0) {
                window.tokens.addLast(new long[] {now, tokensUsed});
                window.tokenSum += tokensUsed;
            }
            window.prune(now);
            window.lastUsed = now;
        }
        if (windows.size() > 1_000) {
            windows.values().removeIf(idle -> {
                synchronized (idle) {
                    idle.prune(now);
                    return idle.open == 0 && now - idle.lastUsed >= MINUTE_NANOS && idle.requests.isEmpty();
                }
            });
        }
    }
}
