package dev.claudeproxy.route;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RouteCooldownsTest {

    @Test
    void aFailedRouteIsOpenForItsCooldownOnlyAndASuccessClosesIt() {
        AtomicLong now = new AtomicLong(1_000);
        RouteCooldowns cooldowns = new RouteCooldowns(Duration.ofSeconds(30), now::get);
        assertFalse(cooldowns.isCooling("a"));
        cooldowns.failed("a");
        assertTrue(cooldowns.isCooling("a"));
        assertFalse(cooldowns.isCooling("b"), "per route");
        now.addAndGet(Duration.ofSeconds(29).toNanos());
        assertTrue(cooldowns.isCooling("a"));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertFalse(cooldowns.isCooling("a"), "the cooldown is over");
        cooldowns.failed("a");
        cooldowns.succeeded("a");
        assertFalse(cooldowns.isCooling("a"));
    }
}
