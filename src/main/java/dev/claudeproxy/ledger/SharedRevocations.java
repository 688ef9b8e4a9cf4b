package dev.claudeproxy.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sign-in's revocations, shared through the ledger's database: what one node revokes
 * ({@link #publish}, queued, never waiting for the database) is written by this board's one thread,
 * which also reads every node's new revocations every {@code pollEvery} and hands them to the
 * listener. At start it reads those still in force, so a restarted node forgets none. A
 * revocation reaches the other nodes within their next read; while the database is out of reach,
 * each node holds what it knows and the rest waits in the queue (bounded; past it, the oldest
 * node-local ones still hold here).
 */
public final class SharedRevocations implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SharedRevocations.class.getName());
    private static final int MAX_QUEUED = 10_000;

    /** Told of each revocation in force, this node's and the others'. */
    public interface Listener {
        void revoked(String kind, String key, Instant effective, Instant expires);
    }

    private record Row(String kind, String key, Instant effective, Instant expires) {
    }

    private final LedgerDatabase database;
    private final Duration pollEvery;
    private final Listener listener;
    private final Clock clock;
    private final BlockingQueue<Row> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final Thread board;
    private volatile boolean closing;
    private long lastSeen;
    private Instant nextCleanup = Instant.EPOCH;

    public SharedRevocations(LedgerDatabase database, Duration pollEvery, Listener listener, Clock clock) {
        this.database = database;
        this.pollEvery = pollEvery;
        this.listener = listener;
        this.clock = clock;
        this.board = new Thread(this::run, "claude-proxy-revocations");
        board.setDaemon(true);
        board.start();
    }

    /** Queues this node's revocation for the others; never blocks. */
    public void publish(String kind, String key, Instant effective, Instant expires) {
        if (!queue.offer(new Row(kind, key, effective, expires))) {
            LOG.warning("a revocation could not be queued for the other nodes (" + MAX_QUEUED + " wait already); it holds"
                    + " on this node");
        }
    }

    private void run() {
        List<Row> unwritten = new ArrayList<>();
        while (!closing || !queue.isEmpty() || !unwritten.isEmpty()) {
            try {
                Row first = queue.poll(pollEvery.toMillis(), TimeUnit.MILLISECONDS);
                if (first != null) {
                    unwritten.add(first);
                    queue.drainTo(unwritten);
                }
            } catch (InterruptedException e) {
                return;
            }
            try (Connection connection = database.connection()) {
                write(connection, unwritten);
                unwritten.clear();
                read(connection);
                Instant now = clock.instant();
                if (!now.isBefore(nextCleanup)) {
                    try (PreparedStatement delete = connection.prepareStatement(
                            "DELETE FROM session_revocation WHERE expires_at < ?")) {
                        delete.setLong(1, now.toEpochMilli());
                        delete.executeUpdate();
                    }
                    nextCleanup = now.plus(Duration.ofHours(1));
                }
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.WARNING, "the sign-in's revocations could not be shared through " + database.description()
                        + "; this node holds its own, and tries again", e);
                if (closing) {
                    return;
                }
                try {
                    Thread.sleep(Math.max(1_000, pollEvery.toMillis()));
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private static void write(Connection connection, List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO session_revocation (kind, revoked,"
                + " effective_at, expires_at) VALUES (?, ?, ?, ?)")) {
            for (Row row : rows) {
                insert.setString(1, row.kind());
                insert.setString(2, row.key().length() > 500 ? row.key().substring(0, 500) : row.key());
                insert.setLong(3, row.effective().toEpochMilli());
                insert.setLong(4, row.expires().toEpochMilli());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private void read(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT id, kind, revoked, effective_at, expires_at"
                + " FROM session_revocation WHERE id > ? AND expires_at >= ? ORDER BY id")) {
            select.setLong(1, lastSeen);
            select.setLong(2, clock.instant().toEpochMilli());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    lastSeen = Math.max(lastSeen, rows.getLong(1));
                    listener.revoked(rows.getString(2), rows.getString(3), Instant.ofEpochMilli(rows.getLong(4)),
                            Instant.ofEpochMilli(rows.getLong(5)));
                }
            }
        }
    }

    /** Writes what is queued (within five seconds), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            board.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (board.isAlive()) {
            board.interrupt();
        }
    }
}
