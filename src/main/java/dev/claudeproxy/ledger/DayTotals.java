package dev.claudeproxy.ledger;

import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tokens and money per pool and day, for the budgets' counters: a period's sum reads only the days
 * that have any. Thread-safe.
 */
final class DayTotals {

    static final int TOKENS = 0;
    static final int MONEY = 1;

    private final Map<String, ConcurrentNavigableMap<LocalDate, LongAdder[]>> byPool = new ConcurrentHashMap<>();

    void add(String pool, LocalDate day, long tokens, long money) {
        LongAdder[] sums = byPool.computeIfAbsent(pool, key -> new ConcurrentSkipListMap<>())
                .computeIfAbsent(day, key -> new LongAdder[] {new LongAdder(), new LongAdder()});
        sums[TOKENS].add(tokens);
        sums[MONEY].add(money);
    }

    /** The sum of {@code index} ({@link #TOKENS} or {@link #MONEY}) over the days from {@code from} to {@code to}. */
    long sum(String pool, LocalDate from, LocalDate to, int index) {
        ConcurrentNavigableMap<LocalDate, LongAdder[]> days = byPool.get(pool);
        if (days == null) {
            return 0;
        }
        long total = 0;
        for (LongAdder[] sums : days.subMap(from, true, to, true).values()) {
            total += sums[index].sum();
        }
        return total;
    }

    /** Forgets the days before {@code day}. */
    void forgetBefore(LocalDate day) {
        byPool.values().forEach(days -> days.headMap(day).clear());
        byPool.values().removeIf(Map::isEmpty);
    }
}
