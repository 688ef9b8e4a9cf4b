package dev.claudeproxy.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final RateLimits rates = new RateLimits(now::get);

    private Limits limits(String rules) throws Exception {
        return Policy.parse("[everyone]\n" + rules, "p").limits("ada", List.of());
    }

    @Test
    void requestsPerMinuteRefuseUntilTheOldestLeavesTheMinute() throws Exception {
        Limits limits = limits("requests_per_minute = 2\n");
        assertTrue(rates.begin(limits).isEmpty());
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(rates.begin(limits).isEmpty());
        RateLimits.Refusal refused = rates.begin(limits).orElseThrow();
        assertEquals(Duration.ofSeconds(50), refused.retryAfter());
        assertTrue(refused.message().contains("requests_per_minute"), refused.message());
        now.addAndGet(Duration.ofSeconds(50).toNanos());
        assertTrue(rates.begin(limits).isEmpty(), "the first request has left the minute");
    }

    @Test
    void concurrentStreamsAreGivenBackWhenTheyEnd() throws Exception {
        Limits limits = limits("concurrent_streams = 1\n");
        assertTrue(rates.begin(limits).isEmpty());
        assertTrue(rates.begin(limits).isPresent());
        rates.end(limits, 0);
        assertTrue(rates.begin(limits).isEmpty());
    }

    @Test
    void tokensPerMinuteCountWhatEndedExchangesUsed() throws Exception {
        Limits limits = limits("tokens_per_minute = 1000\n");
        assertTrue(rates.begin(limits).isEmpty());
        rates.end(limits, 700);
        now.addAndGet(Duration.ofSeconds(20).toNanos());
        assertTrue(rates.begin(limits).isEmpty());
        rates.end(limits, 400);
        RateLimits.Refusal refused = rates.begin(limits).orElseThrow();
        assertEquals(Duration.ofSeconds(40), refused.retryAfter(), "room again when the 700 leave the minute");
    }

    @Test
    void usersAreCountedApart() throws Exception {
        Policy policy = Policy.parse("[everyone]\nrequests_per_minute = 1\n", "p");
        assertTrue(rates.begin(policy.limits("ada", List.of())).isEmpty());
        assertTrue(rates.begin(policy.limits("bob", List.of())).isEmpty());
        assertTrue(rates.begin(policy.limits("ada", List.of())).isPresent());
    }

    /** Where user names are a client's claim, a flood of invented ones is refused, not held: the memory stays bounded. */
    @Test
    void aFloodOfInventedUsersIsRefusedPastTheBoundAndTheCountedGoOn() throws Exception {
        Policy policy = Policy.parse("[everyone]\nrequests_per_minute = 5\n", "p");
        assertTrue(rates.begin(policy.limits("ada", List.of())).isEmpty());
        for (int i = 1; i < RateLimits.MAX_USERS; i++) {
            Limits invented = policy.limits("invented-" + i, List.of());
            assertTrue(rates.begin(invented).isEmpty());
            rates.end(invented, 0);
        }
        RateLimits.Refusal refused = rates.begin(policy.limits("one-more", List.of())).orElseThrow();
        assertTrue(refused.message().contains("retry shortly"), refused.message());
        assertTrue(rates.begin(policy.limits("ada", List.of())).isEmpty(), "a user already counted goes on");
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        assertTrue(rates.begin(policy.limits("one-more", List.of())).isEmpty(), "the idle swept, a new user is counted");
    }
}
