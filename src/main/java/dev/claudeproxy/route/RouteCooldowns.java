package dev.claudeproxy.route;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Remembers, for a short cooldown, which configured upstreams just failed (after their retries),
 * so that requests with a fallback go straight to it instead of waiting on the failing one again.
 * Only server routes are tracked, so the map is bounded by the configuration. Per node, by design:
 * it is a cache of recent failures, not state a request depends on.
 */
public final class RouteCooldowns {

    private final Duration cooldown;
    private final LongSupplier clock;
    private final Map<String, Long> coolingUntil = new ConcurrentHashMap<>();

    public RouteCooldowns(Duration cooldown, LongSupplier nanoClock) {
        this.cooldown = cooldown;
        this.clock = nanoClock;
    }

    public boolean isCooling(String route) {
        Long until = coolingUntil.get(route);
        if (until == null) {
            return false;
        }
        if (clock.getAsLong() - until >= 0) {
            coolingUntil.remove(route, until);
            return false;
        }
        return true;
    }

    public void failed(String route) {
        coolingUntil.put(route, clock.getAsLong() + cooldown.toNanos());
    }

    public void succeeded(String route) {
        coolingUntil.remove(route);
    }
}
