package dev.claudeproxy.ledger;

import java.time.Instant;
import dev.claudeproxy.policy.Pools;
import java.util.List;

/**
 * One exchange, as the ledger keeps it.
 *
 * @param route path, haiku, sonnet, opus, default
 * @param cost in millionths of the policy's currency; 0 when no price matches
 */
public record LedgerEntry(Instant at, String user, List<String> groups, String session, String agent, String route,
                          String host, String model, long inputTokens, long cachedTokens, long outputTokens, long cost,
                          int status, long durationMillis) {

    public LedgerEntry {
        groups = List.copyOf(groups);
    }

    long tokens() {
        return inputTokens + cachedTokens + outputTokens;
    }

    /** The scopes its spend counts in: its user's, each of its groups', and everyone's. */
    List<String> pools() {
        String[] pools = new String[groups.size() + 2];
        pools[0] = Pools.user(user);
        for (int i = 0; i < groups.size(); i++) {
            pools[i + 1] = Pools.group(groups.get(i));
        }
        pools[pools.length - 1] = Pools.EVERYONE;
        return List.of(pools);
    }
}
