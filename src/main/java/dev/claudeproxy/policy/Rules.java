package dev.claudeproxy.policy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One section of the policy file: the rules it sets for everyone, a group or a user; a rule it
 * does not set is left to the less specific sections.
 *
 * @param models the {@code host/model} globs they may use, when set (empty: none)
 * @param budgets by period and unit
 */
public record Rules(Optional<List<String>> models, OptionalLong requestsPerMinute, OptionalLong tokensPerMinute,
                    OptionalLong concurrentStreams, Map<Key, Budget> budgets) {

    /** A budget's place: one of each period and unit. */
    public record Key(Period period, Budget.Unit unit) {
    }

    public Rules {
        models = models.map(List::copyOf);
        budgets = Map.copyOf(budgets);
    }

    static final Rules NONE = new Rules(Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
            Map.of());
}
