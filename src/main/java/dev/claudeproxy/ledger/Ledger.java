package dev.claudeproxy.ledger;

import dev.claudeproxy.policy.Budget;
import dev.claudeproxy.policy.Period;
import dev.claudeproxy.policy.Pools;
import dev.claudeproxy.policy.Spend;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The usage ledger: every exchange recorded off the request path, and the counters budgets read.
 *
 * <p>{@link #record} only queues the entry (bounded: {@link Config#maxBacklog}); one writer thread
 * writes the queue in batches, each in one transaction (the entries, and the daily totals per
 * scope that {@code usage_daily} keeps), so a slow or absent database never delays or fails a
 * request. While the database is down, entries wait in the queue and are written when it is back;
 * past the backlog's bound they are dropped and counted. {@link #close()} writes what is queued
 * before the webapp stops.
 *
 * <p>Counters: what every node has spent, read from {@code usage_daily} every
 * {@link Config#refreshEvery}, plus what this node has recorded and not yet written. The writer
 * thread owns the snapshot: it adds each batch it commits and replaces the whole from the
 * database between batches, so no entry counts twice. Another node's spend reaches this node's
 * counters within its flush and this node's refresh: that, and the requests still running, is
 * the margin by which a budget shared across nodes can be passed.
 */
public final class Ledger implements Spend, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Ledger.class.getName());

    /**
     * @param flushEvery how long an entry may wait before its batch is written
     * @param batch the most entries written in one transaction
     * @param maxBacklog the most entries held while the database cannot take them
     * @param refreshEvery how often the counters are read again from the database
     * @param retentionDays how long each exchange's own row is kept (the daily totals are kept)
     * @param staleAfter counters older than this are stale: the database has been out of reach
     */
    public record Config(Duration flushEvery, int batch, int maxBacklog, Duration refreshEvery, int retentionDays,
                         Duration staleAfter) {
    }

    private final LedgerDatabase database;
    private final Config config;
    private final Clock clock;
    private final BlockingQueue<LedgerEntry> queue;
    /** Recorded on this node and not yet committed: tokens, then money. */
    private final DayTotals pending = new DayTotals();
    /** Committed, every node's, as of the last refresh plus this node's batches since. Replaced whole by the writer. */
    private volatile DayTotals committed = new DayTotals();
    private volatile Instant lastRefresh = Instant.EPOCH;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;
    private Instant nextRetention = Instant.EPOCH;
    /** The batch being written, held while the database refuses it (read by {@link #backlog()} from other threads). */
    private volatile List<LedgerEntry> unwritten = List.of();

    public Ledger(LedgerDatabase database, Config config, Clock clock) {
        this.database = database;
        this.config = config;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(config.maxBacklog());
        refresh(); // the counters as the database has them, before the first request
        this.writer = new Thread(this::write, "claude-proxy-ledger");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues one exchange; never blocks. An entry past the backlog's bound is dropped and counted. */
    public void record(LedgerEntry entry) {
        if (closing || !queue.offer(entry)) {
            long count = dropped.incrementAndGet();
            if (Long.bitCount(count) == 1) {
                LOG.warning("usage ledger entries dropped (" + count + " so far): "
                        + (closing ? "the gateway is stopping" : "the database has not taken the last "
                        + config.maxBacklog() + " entries"));
            }
            return;
        }
        add(pending, entry, 1);
    }

    /** Entries waiting to be written. */
    public int backlog() {
        return queue.size() + unwritten.size();
    }

    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    /** Whether the counters were read from the database recently enough to be trusted. */
    public boolean fresh() {
        return Duration.between(lastRefresh, clock.instant()).compareTo(config.staleAfter()) < 0;
    }

    @Override
    public long spent(String pool, Period period, Budget.Unit unit) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        int index = unit == Budget.Unit.TOKENS ? DayTotals.TOKENS : DayTotals.MONEY;
        LocalDate from = period.start(today);
        return committed.sum(pool, from, today, index) + pending.sum(pool, from, today, index);
    }

    private static void add(DayTotals counters, LedgerEntry entry, int sign) {
        LocalDate day = LocalDate.ofInstant(entry.at(), ZoneOffset.UTC);
        for (String pool : entry.pools()) {
            counters.add(pool, day, sign * entry.tokens(), sign * entry.cost());
        }
    }

    /** The writer thread: batches until closed and drained. */
    private void write() {
        Duration backoff = Duration.ofSeconds(1);
        Instant nextRefresh = clock.instant().plus(config.refreshEvery());
        while (true) {
            if (unwritten.isEmpty()) {
                try {
                    unwritten = nextBatch();
                } catch (InterruptedException e) {
                    return; // close() gave up waiting
                }
            }
            if (closing && unwritten.isEmpty() && queue.isEmpty()) {
                return;
            }
            if (!unwritten.isEmpty()) {
                try {
                    commit(unwritten);
                    written.addAndGet(unwritten.size());
                    for (LedgerEntry entry : unwritten) {
                        // Counted as committed before it leaves the pending count: a budget check meanwhile
                        // sees it twice at worst, never not at all.
                        add(committed, entry, 1);
                        add(pending, entry, -1);
                    }
                    unwritten = List.of();
                    backoff = Duration.ofSeconds(1);
                } catch (SQLException | RuntimeException e) {
                    LOG.log(Level.WARNING, "the usage ledger could not write " + unwritten.size() + " entries to "
                            + database.description() + "; they wait (" + backlog() + " in all) and are tried again in "
                            + backoff.toSeconds() + " s", e);
                    if (!sleep(backoff)) {
                        return;
                    }
                    backoff = java.util.Collections.min(List.of(backoff.multipliedBy(2), Duration.ofSeconds(30)));
                    continue;
                }
            }
            Instant now = clock.instant();
            if (!now.isBefore(nextRefresh)) {
                refresh();
                nextRefresh = now.plus(config.refreshEvery());
            }
            if (!now.isBefore(nextRetention)) {
                retain(now);
                nextRetention = now.plus(Duration.ofHours(1));
            }
        }
    }

    /**
     * The next batch: from its first entry, what arrives within {@link Config#flushEvery} (or at
     * once, when a batch's worth already waits), so that a busy gateway writes a few large
     * transactions a second, not one per exchange; at once when closing. The writer gathers by
     * sleeping, not by waiting on the queue: an exchange that records its entry wakes no thread
     * (when it waited on the queue, every exchange's entry woke it: a hand-over per request).
     */
    private List<LedgerEntry> nextBatch() throws InterruptedException {
        List<LedgerEntry> batch = new ArrayList<>();
        LedgerEntry first = queue.poll(config.flushEvery().toMillis(), TimeUnit.MILLISECONDS);
        if (first == null) {
            return batch;
        }
        batch.add(first);
        long deadline = System.nanoTime() + config.flushEvery().toNanos();
        while (!closing && queue.size() < config.batch() - 1) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            LockSupport.parkNanos(this, left); // close() unparks it
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        queue.drainTo(batch, config.batch() - 1);
        return batch;
    }

    private boolean sleep(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Writes one batch in one transaction: the entries, and their days' totals added per scope, model and route. */
    private void commit(List<LedgerEntry> batch) throws SQLException {
        Map<List<Object>, long[]> daily = new LinkedHashMap<>();
        for (LedgerEntry entry : batch) {
            LocalDate day = LocalDate.ofInstant(entry.at(), ZoneOffset.UTC);
            String model = entry.host() + "/" + entry.model();
            for (String pool : entry.pools()) {
                long[] sums = daily.computeIfAbsent(List.of(day, pool, model, entry.route()), key -> new long[5]);
                sums[0]++;
                sums[1] += entry.inputTokens();
                sums[2] += entry.cachedTokens();
                sums[3] += entry.outputTokens();
                sums[4] += entry.cost();
            }
        }
        try (Connection connection = database.connection()) {
            connection.setAutoCommit(false);
            try {
                insertEntries(connection, batch);
                addDaily(connection, daily);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static void insertEntries(Connection connection, List<LedgerEntry> batch) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO ledger_entry (recorded_at, user_name,"
                + " groups_list, session_id, agent_id, route, upstream_host, model, input_tokens, cached_tokens,"
                + " output_tokens, cost_micros, status, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (LedgerEntry entry : batch) {
                insert.setLong(1, entry.at().toEpochMilli());
                insert.setString(2, cut(entry.user(), 200));
                insert.setString(3, cut(String.join(",", entry.groups()), 2000));
                insert.setString(4, cut(entry.session(), 200));
                insert.setString(5, cut(entry.agent(), 200));
                insert.setString(6, cut(entry.route(), 20));
                insert.setString(7, cut(entry.host(), 300));
                insert.setString(8, cut(entry.model(), 200));
                insert.setLong(9, entry.inputTokens());
                insert.setLong(10, entry.cachedTokens());
                insert.setLong(11, entry.outputTokens());
                insert.setLong(12, entry.cost());
                insert.setInt(13, entry.status());
                insert.setLong(14, entry.durationMillis());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Adds to each day's totals: an update, and an insert where the row is new. Two nodes may
     * insert the same new row at once; the one refused retries its update (the portable upsert).
     */
    private static void addDaily(Connection connection, Map<List<Object>, long[]> daily) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE usage_daily SET requests = requests + ?,"
                + " input_tokens = input_tokens + ?, cached_tokens = cached_tokens + ?, output_tokens = output_tokens + ?,"
                + " cost_micros = cost_micros + ? WHERE usage_day = ? AND scope = ? AND model = ? AND route = ?");
             PreparedStatement insert = connection.prepareStatement("INSERT INTO usage_daily (requests, input_tokens,"
                     + " cached_tokens, output_tokens, cost_micros, usage_day, scope, model, route)"
                     + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Map.Entry<List<Object>, long[]> row : daily.entrySet()) {
                if (set(update, row).executeUpdate() == 0) {
                    java.sql.Savepoint before = connection.setSavepoint();
                    try {
                        set(insert, row).executeUpdate();
                    } catch (SQLException raced) {
                        if (raced.getSQLState() == null || !raced.getSQLState().startsWith("23")) {
                            throw raced;
                        }
                        connection.rollback(before); // another node inserted it first: add to theirs
                        set(update, row).executeUpdate();
                    }
                }
            }
        }
    }

    private static PreparedStatement set(PreparedStatement statement, Map.Entry<List<Object>, long[]> row)
            throws SQLException {
        long[] sums = row.getValue();
        for (int i = 0; i < 5; i++) {
            statement.setLong(i + 1, sums[i]);
        }
        statement.setObject(6, row.getKey().get(0));
        statement.setString(7, cut((String) row.getKey().get(1), 300));
        statement.setString(8, cut((String) row.getKey().get(2), 500));
        statement.setString(9, cut((String) row.getKey().get(3), 20));
        return statement;
    }

    /** Reads every scope's totals of this month and week from the database: the counters' new snapshot. */
    private void refresh() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate from = Period.WEEK.start(today).isBefore(Period.MONTH.start(today)) ? Period.WEEK.start(today)
                : Period.MONTH.start(today);
        DayTotals snapshot = new DayTotals();
        try (Connection connection = database.connection();
             PreparedStatement select = connection.prepareStatement("SELECT scope, usage_day, SUM(input_tokens + cached_tokens"
                     + " + output_tokens), SUM(cost_micros) FROM usage_daily WHERE usage_day >= ? GROUP BY scope, usage_day")) {
            select.setObject(1, from);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    snapshot.add(rows.getString(1), rows.getObject(2, LocalDate.class), rows.getLong(3), rows.getLong(4));
                }
            }
            committed = snapshot;
            lastRefresh = clock.instant();
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "the usage ledger could not read its counters from " + database.description()
                    + "; budgets use the last ones read (" + lastRefresh + ")", e);
        }
    }

    /** Deletes exchanges' own rows past the retention period (the daily totals stay), and forgets past months' counters. */
    private void retain(Instant now) {
        LocalDate monthAgo = LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(40);
        pending.forgetBefore(monthAgo);
        try (Connection connection = database.connection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM ledger_entry WHERE recorded_at < ?")) {
            delete.setLong(1, now.minus(Duration.ofDays(config.retentionDays())).toEpochMilli());
            int deleted = delete.executeUpdate();
            if (deleted > 0) {
                LOG.info(() -> "usage ledger: " + deleted + " exchanges older than " + config.retentionDays()
                        + " days deleted (their daily totals are kept)");
            }
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "the usage ledger could not delete old rows; it tries again in an hour", e);
        }
    }

    private static String cut(String value, int length) {
        return value.length() <= length ? value : value.substring(0, length);
    }

    /** The ledger's database could not answer a usage query. */
    public static final class Unavailable extends Exception {
        Unavailable(SQLException cause) {
            super("the usage ledger's database could not be read: " + cause.getMessage(), cause);
        }
    }

    /**
     * The most rows a usage query gives, largest spend first: users, sessions and models can be
     * named by clients, so the answer is bounded whatever they named.
     */
    public static final int MAX_ROWS = 10_000;

    /** Usage over days, by one dimension of the daily totals. */
    public enum By { USER, GROUP, MODEL, ROUTE, DAY }

    /** One row of usage: its key (a user, group, model, route or day) and its sums. */
    public record Usage(String key, long requests, long inputTokens, long cachedTokens, long outputTokens, long cost) {
    }

    /**
     * Usage from {@code from} to {@code to} (inclusive, UTC days), by {@code by}, largest spend first,
     * at most {@link #MAX_ROWS} rows.
     *
     * @param user only this user's, when given
     */
    public List<Usage> usage(LocalDate from, LocalDate to, By by, java.util.Optional<String> user) throws Unavailable {
        String scopes = switch (by) {
            case USER -> "scope LIKE '" + Pools.USER_PREFIX + "%'";
            case GROUP -> "scope LIKE '" + Pools.GROUP_PREFIX + "%'";
            default -> "scope = ?";
        };
        String key = switch (by) {
            case USER, GROUP -> "scope";
            case MODEL -> "model";
            case ROUTE -> "route";
            case DAY -> "usage_day";
        };
        if (user.isPresent() && (by == By.USER || by == By.GROUP)) {
            scopes = "scope = ?";
        }
        String sql = "SELECT " + key + ", SUM(requests), SUM(input_tokens), SUM(cached_tokens), SUM(output_tokens),"
                + " SUM(cost_micros) FROM usage_daily WHERE usage_day >= ? AND usage_day <= ? AND " + scopes
                + " GROUP BY " + key + " ORDER BY SUM(cost_micros) DESC, " + key;
        List<Usage> usage = new ArrayList<>();
        try (Connection connection = database.connection(); PreparedStatement select = connection.prepareStatement(sql)) {
            select.setMaxRows(MAX_ROWS);
            select.setObject(1, from);
            select.setObject(2, to);
            if (scopes.equals("scope = ?")) {
                select.setString(3, user.map(Pools::user).orElse(Pools.EVERYONE));
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String name = by == By.DAY ? rows.getObject(1, LocalDate.class).toString() : rows.getString(1);
                    if (by == By.USER || by == By.GROUP) {
                        name = Pools.owner(name);
                    }
                    usage.add(new Usage(name, rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getLong(5),
                            rows.getLong(6)));
                }
            }
        } catch (SQLException e) {
            throw new Unavailable(e);
        }
        return usage;
    }

    /** Usage by Claude Code session, from the exchanges' own rows (kept for the retention period). */
    public List<Usage> usageBySession(Instant from, Instant to, java.util.Optional<String> user) throws Unavailable {
        String sql = "SELECT session_id, COUNT(*), SUM(input_tokens), SUM(cached_tokens), SUM(output_tokens),"
                + " SUM(cost_micros) FROM ledger_entry WHERE recorded_at >= ? AND recorded_at < ?"
                + (user.isPresent() ? " AND user_name = ?" : "") + " GROUP BY session_id ORDER BY SUM(cost_micros) DESC,"
                + " session_id";
        List<Usage> usage = new ArrayList<>();
        try (Connection connection = database.connection(); PreparedStatement select = connection.prepareStatement(sql)) {
            select.setMaxRows(MAX_ROWS);
            select.setLong(1, from.toEpochMilli());
            select.setLong(2, to.toEpochMilli());
            if (user.isPresent()) {
                select.setString(3, user.get());
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    usage.add(new Usage(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getLong(4),
                            rows.getLong(5), rows.getLong(6)));
                }
            }
        } catch (SQLException e) {
            throw new Unavailable(e);
        }
        return usage;
    }

    /**
     * Stops taking entries and writes those queued, waiting at most {@code grace}. Entries still
     * unwritten then (the database down) are lost, and logged. The database is its opener's to close.
     */
    public void close(Duration grace) {
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
            LOG.warning(backlog() + " usage ledger entries could not be written before the webapp stopped and are lost");
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** For tests: the counters as they are, after a refresh the caller waits for. */
    void refreshNow() {
        refresh();
    }
}
