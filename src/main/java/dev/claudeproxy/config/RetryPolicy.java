package dev.claudeproxy.config;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to call an upstream again before the client has seen a byte: after a connection failure or
 * an answer of 429, 502, 503 or 504, up to {@code retries} more times. The wait is what the
 * upstream asked for when it says so (no retry when that is longer than {@code maxWait}: the
 * client then gets the error and the wait, and waits itself), else an exponential backoff from
 * {@code base} with jitter, capped at {@code maxWait}.
 */
public record RetryPolicy(int retries, Duration base, Duration maxWait) {

    public static boolean retryableStatus(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    /**
     * @param retry 1 for the first retry
     * @param asked how long the upstream asked to be left alone, when it said
     * @param random uniform in [0, 1), for the jitter
     * @return how long to wait before that retry, or empty when there is none
     */
    public Optional<Duration> delay(int retry, Optional<Duration> asked, DoubleSupplier random) {
        if (retry > retries) {
            return Optional.empty();
        }
        if (asked.isPresent()) {
            return asked.get().compareTo(maxWait) <= 0 ? asked : Optional.empty();
        }
        long ceiling = Math.min(maxWait.toMillis(), base.toMillis() << Math.min(retry - 1, 20));
        return Optional.of(Duration.ofMillis(ceiling / 2 + (long) (random.getAsDouble() * (ceiling / 2.0))));
    }
}
