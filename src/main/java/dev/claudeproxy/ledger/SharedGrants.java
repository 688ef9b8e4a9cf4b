package dev.claudeproxy.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Instant;
import java.util.Optional;

/**
 * The sign-ins under way, in the ledger's database, so that each step of one may reach any node:
 * opaque sealed values under opaque keys, each with a version (a change names the version it
 * read and raises it, so of two nodes' changes one wins) and an expiry. Keys are random, never
 * added twice. Each call is one short statement on the
 * caller's thread, bounded by {@value #QUERY_TIMEOUT_SECONDS} seconds.
 */
public final class SharedGrants {

    /** The longest value held: a completed sign-in's tokens, sealed, are a few KiB. */
    public static final int MAX_VALUE_CHARS = 60_000;
    private static final int QUERY_TIMEOUT_SECONDS = 5;

    /** What a key holds, and the version a change starts from. */
    public record Held(String value, long version) {
    }

    private final LedgerDatabase database;

    public SharedGrants(LedgerDatabase database) {
        this.database = database;
    }

    /** @return false when the key is taken */
    public boolean add(String key, String value, Instant expires) throws Ledger.Unavailable {
        check(value);
        try (Connection connection = database.connection(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO device_grant (grant_key, sealed, row_version, expires_at) VALUES (?, ?, 0, ?)")) {
            insert.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            insert.setString(1, key);
            insert.setString(2, value);
            insert.setLong(3, expires.toEpochMilli());
            return insert.executeUpdate() == 1;
        } catch (SQLIntegrityConstraintViolationException taken) {
            return false;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) { // unique violation, as PostgreSQL and H2 say it
                return false;
            }
            throw new Ledger.Unavailable(e);
        }
    }

    public Optional<Held> get(String key, Instant now) throws Ledger.Unavailable {
        try (Connection connection = database.connection(); PreparedStatement select = connection.prepareStatement(
                "SELECT sealed, row_version FROM device_grant WHERE grant_key = ? AND expires_at > ?")) {
            select.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            select.setString(1, key);
            select.setLong(2, now.toEpochMilli());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Held(row.getString(1), row.getLong(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new Ledger.Unavailable(e);
        }
    }

    /** @return whether the key was still at {@code version}, and now holds {@code value} */
    public boolean replace(String key, long version, String value) throws Ledger.Unavailable {
        check(value);
        return update("UPDATE device_grant SET sealed = ?, row_version = row_version + 1 WHERE grant_key = ?"
                + " AND row_version = ?", value, key, version) == 1;
    }

    /** @return whether the key was still at {@code version}, and is now gone: one caller wins */
    public boolean remove(String key, long version) throws Ledger.Unavailable {
        return update("DELETE FROM device_grant WHERE grant_key = ? AND row_version = ?", key, version) == 1;
    }

    public void remove(String key) throws Ledger.Unavailable {
        update("DELETE FROM device_grant WHERE grant_key = ?", key);
    }

    /** How many keys with this prefix have not expired. */
    public int count(String prefix, Instant now) throws Ledger.Unavailable {
        try (Connection connection = database.connection(); PreparedStatement select = connection.prepareStatement(
                "SELECT COUNT(*) FROM device_grant WHERE grant_key LIKE ? AND expires_at > ?")) {
            select.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            select.setString(1, prefix + "%"); // the gateway's own prefixes: no wildcard in them
            select.setLong(2, now.toEpochMilli());
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        } catch (SQLException e) {
            throw new Ledger.Unavailable(e);
        }
    }

    public void purge(Instant now) throws Ledger.Unavailable {
        update("DELETE FROM device_grant WHERE expires_at <= ?", now.toEpochMilli());
    }

    private int update(String sql, Object... values) throws Ledger.Unavailable {
        try (Connection connection = database.connection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new Ledger.Unavailable(e);
        }
    }

    private static void check(String value) {
        if (value.length() > MAX_VALUE_CHARS) {
            throw new IllegalArgumentException("a sign-in's sealed state is " + value.length() + " characters, past the "
                    + MAX_VALUE_CHARS + " the database holds");
        }
    }
}
