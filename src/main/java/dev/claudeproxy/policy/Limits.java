package dev.claudeproxy.policy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the policy allows one caller, every rule resolved: the user's own section wins, then the
 * most generous of their groups' sections, then everyone's.
 *
 * @param models the {@code host/model} globs they may use; empty when any model is open to them
 */
public record Limits(String user, List<String> groups, Optional<List<String>> models, OptionalLong requestsPerMinute,
                     OptionalLong tokensPerMinute, OptionalLong concurrentStreams, List<Budget> budgets) {

    public Limits {
        groups = List.copyOf(groups);
        models = models.map(List::copyOf);
        budgets = List.copyOf(budgets);
    }

    /** Whether any rate limit holds them: requests or tokens per minute, or calls at once. */
    public boolean rateLimited() {
        return requestsPerMinute.isPresent() || tokensPerMinute.isPresent() || concurrentStreams.isPresent();
    }

    /** Whether they may use this model of this upstream host. */
    public boolean allows(String host, String model) {
        return models.isEmpty() || models.get().stream().anyMatch(glob -> Price.Globs.compile(glob)
                .matcher((host + "/" + model).toLowerCase(java.util.Locale.ROOT)).matches());
    }

    /** Why they may not use it, and what they may use. */
    public String refusal(String host, String model) {
        List<String> open = models.orElse(List.of());
        return "model " + host + "/" + model + " is not one you may use here; "
                + (open.isEmpty() ? "no model is open to you (the gateway's policy)"
                : "you may use " + String.join(", ", open) + " (the gateway's policy)");
    }
}
