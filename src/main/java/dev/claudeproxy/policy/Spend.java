package dev.claudeproxy.policy;

/** What has been spent in a pool this period, as the ledger's counters know it. */
public interface Spend {

    /**
     * @param pool {@code user:<name>}, {@code group:<name>} or {@code all}
     * @return tokens (input, cached and output together), or money in millionths of the currency
     */
    long spent(String pool, Period period, Budget.Unit unit);
}
