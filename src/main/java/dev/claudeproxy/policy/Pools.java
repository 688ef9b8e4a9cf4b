package dev.claudeproxy.policy;

import java.util.Locale;

/**
 * The pools spend is counted in, as budgets name them and the ledger keys its totals: a user's, a
 * group's, and everyone's. Names are matched without regard to case.
 */
public final class Pools {

    public static final String USER_PREFIX = "user:";
    public static final String GROUP_PREFIX = "group:";
    /** Everyone's pool: every exchange counts in it. */
    public static final String EVERYONE = "all";

    private Pools() {
    }

    public static String user(String name) {
        return USER_PREFIX + name.toLowerCase(Locale.ROOT);
    }

    public static String group(String name) {
        return GROUP_PREFIX + name.toLowerCase(Locale.ROOT);
    }

    /** The user or group a pool counts, or {@code everyone}. */
    public static String owner(String pool) {
        return pool.equals(EVERYONE) ? "everyone" : pool.substring(pool.indexOf(':') + 1);
    }
}
