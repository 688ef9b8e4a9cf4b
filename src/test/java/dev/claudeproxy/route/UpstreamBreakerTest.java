package dev.claudeproxy.route;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UpstreamBreakerTest {

    @Test
    void aFailedRouteIsOpenForItsCooldownOnlyAndASuccessClosesIt() {
        AtomicLong now = new AtomicLong(1_000);
        UpstreamBreaker breaker = new UpstreamBreaker(Duration.ofSeconds(30), now::get);
        assertFalse(breaker.isOpen("a"));
        breaker.failed("a");
        assertTrue(breaker.isOpen("a"));
        assertFalse(breaker.isOpen("b"), "per route");
        now.addAndGet(Duration.ofSeconds(29).toNanos());
        assertTrue(breaker.isOpen("a"));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertFalse(breaker.isOpen("a"), "the cooldown is over");
        breaker.failed("a");
        breaker.succeeded("a");
        assertFalse(breaker.isOpen("a"));
    }
}
