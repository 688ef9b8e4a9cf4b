package dev.claudeproxy.policy;

import java.math.BigDecimal;
import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A caller's budgets against what is spent: the first one exhausted, else the most used one.
 * Pure; the headers and messages are Claude Code's (see {@code GATEWAY-SIGN-IN.md} §5.3).
 *
 * @param exhausted the budget that refuses the request, when one does
 * @param mostUsed the budget nearest its end, when there is any budget
 */
public record BudgetCheck(Optional<Standing> exhausted, Optional<Standing> mostUsed, String currency) {

    /** Where Claude Code's warnings start, and where they grow urgent. */
    static final double[] THRESHOLDS = {0.75, 0.95};
    private static final DateTimeFormatter RESET = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** One budget and its standing now. */
    public record Standing(Budget budget, long spent, Instant reset) {
        public double utilization() {
            return budget.amount() == 0 ? 1 : (double) spent / budget.amount();
        }
    }

    public static BudgetCheck of(Limits limits, Spend spend, Instant now, String currency) {
        Standing exhausted = null;
        Standing most = null;
        for (Budget budget : limits.budgets()) {
            Standing standing = new Standing(budget, spend.spent(budget.pool(), budget.period(), budget.unit()),
                    budget.period().reset(now));
            if (standing.spent >= budget.amount() && exhausted == null) {
                exhausted = standing;
            }
            if (most == null || standing.utilization() > most.utilization()) {
                most = standing;
            }
        }
        return new BudgetCheck(Optional.ofNullable(exhausted), Optional.ofNullable(most), currency);
    }

    /** The message Claude Code prints as it is: which budget, what was spent, when it resets. */
    public String message() {
        Standing standing = exhausted.orElseThrow();
        Budget budget = standing.budget();
        String whose = !budget.shared() ? "Your " + budget.period().adjective() + " budget"
                : budget.pool().equals(Pools.EVERYONE) ? "Everyone's shared " + budget.period().adjective() + " budget"
                : "The " + budget.sharedBy() + " group's shared " + budget.period().adjective() + " budget";
        return whose + " of " + amount(budget, budget.amount()) + " is spent (" + amount(budget, standing.spent())
                + " " + budget.period().current() + ") · it resets " + RESET.format(standing.reset());
    }

    /** The refusal's headers: Claude Code shows the message as it is, with no retry and no sign-in prompt. */
    public Map<String, String> refusalHeaders(Instant now) {
        Standing standing = exhausted.orElseThrow();
        long reset = standing.reset().getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("retry-after", Long.toString(Math.max(1, reset - now.getEpochSecond())));
        headers.put("x-should-retry", "false");
        headers.put("anthropic-ratelimit-unified-status", "rejected");
        headers.put("anthropic-ratelimit-unified-reset", Long.toString(reset));
        headers.put("anthropic-ratelimit-unified-overage-reset", Long.toString(reset));
        headers.put("anthropic-ratelimit-unified-overage-utilization", "1");
        headers.put("anthropic-ratelimit-unified-overage-surpassed-threshold", "1");
        headers.put("anthropic-ratelimit-unified-overage-period", standing.budget().period().adjective());
        headers.put("anthropic-ratelimit-unified-overage-disabled-reason", "org_spend_cap_reached");
        if (standing.budget().pool().startsWith(Pools.GROUP_PREFIX)) {
            headers.put("anthropic-ratelimit-unified-overage-scope", "group_pool");
        }
        return headers;
    }

    /**
     * The headers of a successful answer: how much of the most used budget is spent, so that
     * Claude Code warns from 75 %; none for a caller with no budget.
     */
    public Map<String, String> standingHeaders() {
        if (mostUsed.isEmpty()) {
            return Map.of();
        }
        Standing standing = mostUsed.get();
        double utilization = Math.min(0.99, standing.utilization());
        String status = utilization >= THRESHOLDS[0] ? "allowed_warning" : "allowed";
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("anthropic-ratelimit-unified-status", status);
        headers.put("anthropic-ratelimit-unified-representative-claim", "overage");
        headers.put("anthropic-ratelimit-unified-overage-status", status);
        headers.put("anthropic-ratelimit-unified-overage-utilization", BigDecimal.valueOf(utilization).setScale(2, java.math.RoundingMode.HALF_UP).toPlainString());
        for (int i = THRESHOLDS.length - 1; i >= 0; i--) {
            if (utilization >= THRESHOLDS[i]) {
                headers.put("anthropic-ratelimit-unified-overage-surpassed-threshold", Double.toString(THRESHOLDS[i]));
                break;
            }
        }
        headers.put("anthropic-ratelimit-unified-reset", Long.toString(standing.reset().getEpochSecond()));
        headers.put("anthropic-ratelimit-unified-overage-reset", Long.toString(standing.reset().getEpochSecond()));
        return headers;
    }

    /**
     * An amount of a budget's unit: money to the cent, or to the budget's own precision when it is
     * finer (a budget of 0.0075 is not shown as 0.01, nor what was spent of it as 0.01).
     */
    private String amount(Budget budget, long amount) {
        if (budget.unit() == Budget.Unit.TOKENS) {
            return NumberFormat.getIntegerInstance(Locale.ROOT).format(amount) + " tokens";
        }
        int decimals = Math.max(2, BigDecimal.valueOf(budget.amount()).movePointLeft(6).stripTrailingZeros().scale());
        return BigDecimal.valueOf(amount).movePointLeft(6).setScale(decimals, java.math.RoundingMode.HALF_UP).toPlainString()
                + " " + currency;
    }
}
