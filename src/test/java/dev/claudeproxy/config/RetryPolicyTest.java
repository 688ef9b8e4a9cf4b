package dev.claudeproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(4));

    @Test
    void backoffDoublesWithJitterUpToTheMaximumAndStopsAfterTheRetries() {
        assertEquals(Optional.of(Duration.ofMillis(250)), policy.delay(1, Optional.empty(), () -> 0.0));
        assertEquals(Optional.of(Duration.ofMillis(999)), policy.delay(2, Optional.empty(), () -> 0.999));
        assertEquals(Optional.of(Duration.ofMillis(1000)), policy.delay(3, Optional.empty(), () -> 0.0));
        assertEquals(Optional.empty(), policy.delay(4, Optional.empty(), () -> 0.5));
        RetryPolicy capped = new RetryPolicy(10, Duration.ofMillis(500), Duration.ofSeconds(4));
        assertEquals(Optional.of(Duration.ofSeconds(4)), capped.delay(9, Optional.empty(), () -> 1.0));
        assertEquals(Optional.empty(), new RetryPolicy(0, Duration.ofMillis(500), Duration.ofSeconds(4))
                .delay(1, Optional.empty(), () -> 0.5));
    }

    @Test
    void theWaitTheUpstreamAskedForIsWaitedUnlessItIsLongerThanTheMaximum() {
        assertEquals(Optional.of(Duration.ofMillis(1500)), policy.delay(1, Optional.of(Duration.ofMillis(1500)), () -> 0.5));
        assertEquals(Optional.empty(), policy.delay(1, Optional.of(Duration.ofSeconds(60)), () -> 0.5),
                "longer than the maximum: no retry, the client waits");
        assertEquals(Optional.empty(), policy.delay(4, Optional.of(Duration.ofMillis(1)), () -> 0.5), "past the retries");
    }

    @Test
    void onlyRateLimitsAndGatewayFailuresAreRetryable() {
        for (int status : new int[] {429, 502, 503, 504}) {
            assertTrue(RetryPolicy.retryableStatus(status), Integer.toString(status));
        }
        for (int status : new int[] {400, 401, 403, 404, 413, 422, 500, 501, 529}) {
            assertTrue(!RetryPolicy.retryableStatus(status), Integer.toString(status));
        }
    }
}
