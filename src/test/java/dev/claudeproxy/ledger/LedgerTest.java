package dev.claudeproxy.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claudeproxy.Postgres;
import dev.claudeproxy.policy.Budget;
import dev.claudeproxy.policy.Period;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ledger on its two real databases: the embedded H2 file (the default) and PostgreSQL (what
 * a company's server provides), each started here.
 */
class LedgerTest {

    private static final Ledger.Config FAST = new Ledger.Config(Duration.ofMillis(50), 500, 1_000, Duration.ofMillis(100),
            90, Duration.ofSeconds(30));

    @TempDir
    static Path scratch;
    private static Postgres postgres;
    private static int databases;

    @BeforeAll
    static void start() throws Exception {
        postgres = Postgres.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    /** A fresh database of each kind: an H2 file of its own, a PostgreSQL schema of its own. */
    static Stream<String> databases() {
        return Stream.of("h2", "postgresql");
    }

    private static String url(String kind) throws Exception {
        int n = ++databases;
        if (kind.equals("h2")) {
            return "jdbc:h2:file:" + scratch.resolve("ledger-" + n).toAbsolutePath() + ";DB_CLOSE_DELAY=-1";
        }
        return postgres.createDatabase("ledger_" + n);
    }

    private static Ledger ledger(String url) {
        return new Ledger(LedgerDatabase.open("jdbc/none", false, Optional.of(url), scratch), FAST, Clock.systemUTC());
    }

    private static LedgerEntry entry(String user, List<String> groups, String model, long input, long output, long cost) {
        return entry(Instant.now(), user, groups, model, input, output, cost);
    }

    private static LedgerEntry entry(Instant at, String user, List<String> groups, String model, long input, long output,
                                     long cost) {
        return new LedgerEntry(at, user, groups, "s-" + user, "-", "default", "api.openai.com", model, input, 10, output,
                cost, 200, 12);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 300 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void exchangesAreWrittenAndAddUpByUserGroupModelDayAndSession(String kind) throws Exception {
        try (Ledger ledger = ledger(url(kind))) {
            ledger.record(entry("ada", List.of("eng"), "gpt-4.1", 100, 50, 1_000));
            ledger.record(entry("ada", List.of("eng"), "gpt-4.1-mini", 200, 20, 300));
            ledger.record(entry("ada", List.of("eng"), "gpt-4.1", 100, 50, 1_000));
            ledger.record(entry("bob", List.of("eng", "data"), "gpt-4.1", 1, 1, 5));
            // Counted at once, before the writer has written them.
            assertEquals(2_300, ledger.spent("user:ada", Period.DAY, Budget.Unit.MONEY));
            await(() -> ledger.written() == 4, "all written");
            assertEquals(2_300, ledger.spent("user:ada", Period.DAY, Budget.Unit.MONEY), "counted once, not twice");
            assertEquals(2_305, ledger.spent("group:eng", Period.MONTH, Budget.Unit.MONEY));
            assertEquals(2_305, ledger.spent("all", Period.WEEK, Budget.Unit.MONEY));
            assertEquals(100 + 10 + 50 + 200 + 10 + 20 + 100 + 10 + 50, ledger.spent("user:ada", Period.DAY, Budget.Unit.TOKENS));

            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            assertEquals(List.of(new Ledger.Usage("ada", 3, 400, 30, 120, 2_300), new Ledger.Usage("bob", 1, 1, 10, 1, 5)),
                    ledger.usage(today, today, Ledger.By.USER, Optional.empty()));
            assertEquals(List.of(new Ledger.Usage("eng", 4, 401, 40, 121, 2_305), new Ledger.Usage("data", 1, 1, 10, 1, 5)),
                    ledger.usage(today, today, Ledger.By.GROUP, Optional.empty()));
            assertEquals(List.of(new Ledger.Usage("api.openai.com/gpt-4.1", 3, 201, 30, 101, 2_005),
                            new Ledger.Usage("api.openai.com/gpt-4.1-mini", 1, 200, 10, 20, 300)),
                    ledger.usage(today, today, Ledger.By.MODEL, Optional.empty()));
            assertEquals(List.of(new Ledger.Usage(today.toString(), 3, 400, 30, 120, 2_300)),
                    ledger.usage(today, today, Ledger.By.DAY, Optional.of("Ada")), "one's own, by day");
            assertEquals(List.of(new Ledger.Usage("s-ada", 3, 400, 30, 120, 2_300), new Ledger.Usage("s-bob", 1, 1, 10, 1, 5)),
                    ledger.usageBySession(Instant.now().minusSeconds(60), Instant.now().plusSeconds(60), Optional.empty()));
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void twoNodesOnOneDatabaseCountEachOthersSpend(String kind) throws Exception {
        String url = url(kind);
        try (Ledger one = ledger(url); Ledger two = ledger(url)) {
            one.record(entry("ada", List.of("eng"), "gpt-4.1", 1, 1, 700));
            two.record(entry("ada", List.of("eng"), "gpt-4.1", 1, 1, 300));
            two.record(entry("bob", List.of("eng"), "gpt-4.1", 1, 1, 50));
            await(() -> one.spent("user:ada", Period.DAY, Budget.Unit.MONEY) == 1_000
                    && two.spent("user:ada", Period.DAY, Budget.Unit.MONEY) == 1_000, "each node sees both nodes' spend");
            await(() -> one.spent("group:eng", Period.MONTH, Budget.Unit.MONEY) == 1_050, "and the group's");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void whatIsQueuedIsWrittenBeforeTheLedgerCloses(String kind) throws Exception {
        String url = url(kind);
        Ledger ledger = ledger(url);
        for (int i = 0; i < 2_000 / 4; i++) {
            ledger.record(entry("ada", List.of(), "gpt-4.1", 1, 1, 1));
        }
        ledger.close();
        try (Ledger again = ledger(url)) {
            assertEquals(500, again.spent("user:ada", Period.DAY, Budget.Unit.MONEY), "nothing lost on a clean stop");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void exchangesPastTheRetentionPeriodLeaveTheirDailyTotals(String kind) throws Exception {
        String url = url(kind);
        Instant old = Instant.now().minus(Duration.ofDays(120));
        try (Ledger ledger = ledger(url)) {
            ledger.record(entry(old, "ada", List.of(), "gpt-4.1", 5, 5, 77));
            ledger.record(entry("ada", List.of(), "gpt-4.1", 5, 5, 1));
            await(() -> ledger.written() == 2, "written");
        }
        try (Ledger reopened = ledger(url)) { // its writer deletes old rows when it starts
            LocalDate day = LocalDate.ofInstant(old, ZoneOffset.UTC);
            await(() -> rows(url, "SELECT COUNT(*) FROM ledger_entry") == 1, "the 120-day-old exchange deleted");
            assertEquals(List.of(new Ledger.Usage("ada", 1, 5, 10, 5, 77)),
                    reopened.usage(day, day, Ledger.By.USER, Optional.empty()), "its day's totals kept");
        }
    }

    /**
     * Recording an entry wakes no thread: the writer gathers a flush interval's entries by sleeping,
     * not by waiting on its queue. It used to wake for every entry (a hand-over per exchange, most
     * of what the ledger cost a request under load); counted here with the writer thread's own
     * voluntary context switches, as Linux reports them.
     */
    @Test
    void recordingAnEntryWakesNoThread() throws Exception {
        Ledger.Config slow = new Ledger.Config(Duration.ofSeconds(2), 500, 1_000, Duration.ofMinutes(10),
                FAST.retentionDays(), FAST.staleAfter());
        java.util.Set<Path> others = writerTasks();
        try (Ledger ledger = new Ledger(LedgerDatabase.open("jdbc/none", false, Optional.of(url("h2")), scratch), slow,
                Clock.systemUTC())) {
            Path writer = writerTasks().stream().filter(task -> !others.contains(task)).findFirst().orElse(null);
            assumeTrue(writer != null, "the writer's context switches are read from Linux's /proc");
            ledger.record(entry("ada", List.of(), "gpt-4.1", 1, 1, 1)); // the one that wakes it from idle
            Thread.sleep(50);
            long before = switches(writer);
            for (int i = 0; i < 100; i++) {
                ledger.record(entry("ada", List.of(), "gpt-4.1", 1, 1, 1));
                Thread.sleep(2);
            }
            long woken = switches(writer) - before;
            assertTrue(woken < 20, "the writer was woken " + woken + " times by 100 entries");
            await(() -> ledger.written() == 101, "all written in the next batches");
        }
    }

    /** The ledger writers' tasks in /proc (their name as Linux keeps it, cut to 15 characters). */
    private static java.util.Set<Path> writerTasks() throws Exception {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return java.util.Set.of();
        }
        try (Stream<Path> each = Files.list(tasks)) {
            return each.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).strip().equals("claude-proxy-le");
                } catch (java.io.IOException gone) {
                    return false;
                }
            }).collect(java.util.stream.Collectors.toSet());
        }
    }

    private static long switches(Path task) throws Exception {
        for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        throw new IllegalStateException("no voluntary_ctxt_switches in " + task);
    }

    /** Sessions (and users, and models) are named by clients: a usage answer holds at most MAX_ROWS, the largest first. */
    @Test
    void aUsageAnswerIsBoundedWhateverClientsNamed() throws Exception {
        Ledger.Config roomy = new Ledger.Config(FAST.flushEvery(), FAST.batch(), 2 * Ledger.MAX_ROWS, FAST.refreshEvery(),
                FAST.retentionDays(), FAST.staleAfter());
        try (Ledger ledger = new Ledger(LedgerDatabase.open("jdbc/none", false, Optional.of(url("h2")), scratch), roomy,
                Clock.systemUTC())) {
            ledger.record(new LedgerEntry(Instant.now(), "ada", List.of(), "the-big-one", "-", "default", "api.openai.com",
                    "gpt-4.1", 1, 0, 1, 1_000, 200, 1));
            for (int i = 0; i < Ledger.MAX_ROWS + 5; i++) {
                ledger.record(new LedgerEntry(Instant.now(), "ada", List.of(), "s-" + i, "-", "default", "api.openai.com",
                        "gpt-4.1", 1, 0, 1, 1, 200, 1));
            }
            await(() -> ledger.written() == Ledger.MAX_ROWS + 6, "written");
            List<Ledger.Usage> sessions = ledger.usageBySession(Instant.now().minusSeconds(600),
                    Instant.now().plusSeconds(60), Optional.empty());
            assertEquals(Ledger.MAX_ROWS, sessions.size());
            assertEquals("the-big-one", sessions.get(0).key(), "the largest spend first");
        }
    }

    /**
     * The sign-ins under way, as the nodes share them: a change names the version it read, so of two
     * nodes' changes one wins, and a code is taken once; what expired is not read, and is purged.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void sharedSignInsChangeOnlyFromTheVersionRead(String kind) throws Exception {
        try (LedgerDatabase database = LedgerDatabase.open("jdbc/none", false, Optional.of(url(kind)), scratch)) {
            SharedGrants one = new SharedGrants(database);
            SharedGrants two = new SharedGrants(database);
            Instant now = Instant.now();
            assertTrue(one.add("d:a", "sealed-1", now.plusSeconds(600)));
            assertFalse(two.add("d:a", "another", now.plusSeconds(600)), "a name is added once");
            SharedGrants.Held read = two.get("d:a", now).orElseThrow();
            assertEquals("sealed-1", read.value());
            assertTrue(one.replace("d:a", read.version(), "sealed-2"));
            assertFalse(two.replace("d:a", read.version(), "lost"), "a change from a stale version loses");
            SharedGrants.Held current = one.get("d:a", now).orElseThrow();
            assertEquals("sealed-2", current.value());
            assertFalse(two.remove("d:a", read.version()), "taken only at the version read");
            assertTrue(two.remove("d:a", current.version()));
            assertFalse(one.remove("d:a", current.version()), "taken once");
            assertTrue(one.get("d:a", now).isEmpty());

            assertTrue(one.add("d:old", "x", now.minusSeconds(1)));
            assertTrue(one.add("d:new", "x".repeat(SharedGrants.MAX_VALUE_CHARS), now.plusSeconds(600)));
            assertTrue(one.add("u:new", "x", now.plusSeconds(600)));
            assertTrue(one.get("d:old", now).isEmpty(), "expired");
            assertEquals(1, one.count("d:", now));
            one.purge(now);
            assertTrue(one.add("d:old", "again", now.plusSeconds(600)), "purged, so the name is free");
            assertThrows(IllegalArgumentException.class, () -> one.add("d:big", "x".repeat(SharedGrants.MAX_VALUE_CHARS + 1),
                    now.plusSeconds(600)));
        }
    }

    @Test
    void sharedSignInsSayWhenTheDatabaseIsOut() throws Exception {
        try (LedgerDatabase database = LedgerDatabase.open("jdbc/none", false, Optional.of(url("postgresql")), scratch)) {
            SharedGrants grants = new SharedGrants(database);
            postgres.pause();
            try {
                assertThrows(Ledger.Unavailable.class, () -> grants.get("d:a", Instant.now()));
                assertThrows(Ledger.Unavailable.class, () -> grants.add("d:a", "x", Instant.now().plusSeconds(60)));
            } finally {
                postgres.resume();
            }
            assertTrue(grants.add("d:a", "x", Instant.now().plusSeconds(60)));
        }
    }

    @Test
    void aDatabaseOutageDelaysNoRequestAndLosesNothing() throws Exception {
        String url = url("postgresql");
        try (Ledger ledger = ledger(url)) {
            ledger.record(entry("ada", List.of(), "gpt-4.1", 1, 1, 10));
            await(() -> ledger.written() == 1, "written");
            postgres.pause();
            try {
                long started = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    ledger.record(entry("ada", List.of(), "gpt-4.1", 1, 1, 10));
                }
                assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "recording never waits for the database");
                assertEquals(1_010, ledger.spent("user:ada", Period.DAY, Budget.Unit.MONEY), "counted while the database is down");
                Thread.sleep(300);
                assertEquals(1, ledger.written());
                assertEquals(100, ledger.backlog());
            } finally {
                postgres.resume();
            }
            await(() -> ledger.written() == 101, "written once the database is back");
            assertEquals(0, ledger.dropped());
            assertEquals(101, rows(url, "SELECT COUNT(*) FROM ledger_entry"));
        }
    }

    private static long rows(String url, String sql) {
        try (Connection connection = url.startsWith("jdbc:h2") ? org.h2.Driver.load().connect(url, new java.util.Properties())
                : java.sql.DriverManager.getConnection(url);
             Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
