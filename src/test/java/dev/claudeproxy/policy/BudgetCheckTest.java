package dev.claudeproxy.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetCheckTest {

    private static final Instant NOW = Instant.parse("2026-12-02T15:00:00Z");

    private static BudgetCheck check(String policyText, Map<String, Long> spentByPool, String user, List<String> groups)
            throws Exception {
        Policy policy = Policy.parse(policyText, "p");
        return BudgetCheck.of(policy.limits(user, groups), (pool, period, unit) -> spentByPool.getOrDefault(pool, 0L), NOW,
                policy.currency());
    }

    @Test
    void aSpentBudgetRefusesWithClaudeCodesHeadersAndAMessageItPrintsAsItIs() throws Exception {
        BudgetCheck check = check("[everyone]\nbudget_per_day = 20 USD\n", Map.of("user:ada", 20_410_000L), "ada", List.of());
        assertTrue(check.exhausted().isPresent());
        assertEquals("Your daily budget of 20.00 USD is spent (20.41 USD today) · it resets 2026-12-03 00:00 UTC",
                check.message());
        Map<String, String> headers = check.refusalHeaders(NOW);
        assertEquals("32400", headers.get("retry-after"), "nine hours to midnight UTC");
        assertEquals("false", headers.get("x-should-retry"));
        assertEquals("rejected", headers.get("anthropic-ratelimit-unified-status"));
        assertEquals(Long.toString(Instant.parse("2026-12-03T00:00:00Z").getEpochSecond()),
                headers.get("anthropic-ratelimit-unified-overage-reset"));
        assertEquals("daily", headers.get("anthropic-ratelimit-unified-overage-period"));
        assertEquals("org_spend_cap_reached", headers.get("anthropic-ratelimit-unified-overage-disabled-reason"));
        // With these two, Claude Code writes its own text and drops the gateway's: never sent on a refusal.
        assertFalse(headers.containsKey("anthropic-ratelimit-unified-representative-claim"));
        assertFalse(headers.containsKey("anthropic-ratelimit-unified-overage-status"));
        assertFalse(headers.containsKey("anthropic-ratelimit-unified-overage-scope"));
    }

    @Test
    void aGroupsSharedBudgetSaysSo() throws Exception {
        BudgetCheck check = check("[group eng]\nbudget_per_month = 500 USD shared\n", Map.of("group:eng", 500_000_000L),
                "ada", List.of("eng"));
        assertEquals("The eng group's shared monthly budget of 500.00 USD is spent (500.00 USD this month) · it resets"
                + " 2027-01-01 00:00 UTC", check.message());
        assertEquals("group_pool", check.refusalHeaders(NOW).get("anthropic-ratelimit-unified-overage-scope"));
        assertEquals("monthly", check.refusalHeaders(NOW).get("anthropic-ratelimit-unified-overage-period"));
    }

    @Test
    void aTokenBudgetCountsTokens() throws Exception {
        BudgetCheck check = check("[everyone]\nbudget_per_week = 1000000 tokens\n", Map.of("user:ada", 1_000_412L), "ada",
                List.of());
        assertEquals("Your weekly budget of 1,000,000 tokens is spent (1,000,412 tokens this week) · it resets"
                + " 2026-12-07 00:00 UTC", check.message());
    }

    @Test
    void successfulAnswersCarryTheStandingOfTheMostUsedBudgetWarningFrom75Percent() throws Exception {
        String policy = "[everyone]\nbudget_per_day = 10 USD\nbudget_per_month = 100 USD\n";
        Map<String, String> low = check(policy, Map.of("user:ada", 1_000_000L), "ada", List.of()).standingHeaders();
        assertEquals("allowed", low.get("anthropic-ratelimit-unified-status"));
        assertEquals("0.10", low.get("anthropic-ratelimit-unified-overage-utilization"));
        assertFalse(low.containsKey("anthropic-ratelimit-unified-overage-surpassed-threshold"));

        Map<String, String> high = check(policy, Map.of("user:ada", 8_200_000L), "ada", List.of()).standingHeaders();
        assertEquals("allowed_warning", high.get("anthropic-ratelimit-unified-status"));
        assertEquals("allowed_warning", high.get("anthropic-ratelimit-unified-overage-status"));
        assertEquals("overage", high.get("anthropic-ratelimit-unified-representative-claim"));
        assertEquals("0.82", high.get("anthropic-ratelimit-unified-overage-utilization"));
        assertEquals("0.75", high.get("anthropic-ratelimit-unified-overage-surpassed-threshold"));
        assertEquals(Long.toString(Instant.parse("2026-12-03T00:00:00Z").getEpochSecond()),
                high.get("anthropic-ratelimit-unified-reset"), "the daily budget is the most used");

        Map<String, String> urgent = check(policy, Map.of("user:ada", 9_600_000L), "ada", List.of()).standingHeaders();
        assertEquals("0.95", urgent.get("anthropic-ratelimit-unified-overage-surpassed-threshold"));

        assertTrue(check("[everyone]\nmodels = *\n", Map.of(), "ada", List.of()).standingHeaders().isEmpty(),
                "none for an uncapped user");
    }
}
