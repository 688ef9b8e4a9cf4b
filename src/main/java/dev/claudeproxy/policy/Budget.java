package dev.claudeproxy.policy;

/**
 * A budget: so much money or so many tokens a period, counted for one user, or shared by a group
 * or by everyone.
 *
 * @param amount tokens, or money in millionths of the policy's currency
 * @param pool the ledger scope it is counted in: {@code user:<name>}, {@code group:<name>} or {@code all}
 * @param shared whether the pool is a group's or everyone's, not the user's own
 * @param line the policy file's line that set it
 */
public record Budget(Period period, Unit unit, long amount, String pool, boolean shared, int line) {

    /** Whose it is, as the developer reads it: {@code you}, a group's name, or {@code everyone}. */
    public String sharedBy() {
        return shared ? Pools.owner(pool) : "you";
    }

    /** What a budget counts. */
    public enum Unit { MONEY, TOKENS }
}
