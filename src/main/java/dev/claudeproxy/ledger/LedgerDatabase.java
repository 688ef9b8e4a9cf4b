package dev.claudeproxy.ledger;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.util.Properties;
import java.util.ServiceLoader;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Where the ledger lives: the DataSource the server provides by JNDI ({@code java:comp/env/<name>},
 * pooled by the server), else a JDBC URL, else an embedded H2 file under the webapp's work
 * directory, so that a local run and a single Tomcat need nothing. Opened once; its schema created
 * or migrated by Flyway before the webapp takes a request.
 */
public final class LedgerDatabase implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LedgerDatabase.class.getName());

    private final DataSource dataSource;
    private final String description;
    private final boolean embedded;

    private LedgerDatabase(DataSource dataSource, String description, boolean embedded) {
        this.dataSource = dataSource;
        this.description = description;
        this.embedded = embedded;
    }

    /**
     * @param jndiName the DataSource's name under {@code java:comp/env}, or its global name; when {@code required}, its
     *     absence is an error, else the URL or the embedded file is used
     * @param jdbcUrl a JDBC URL, used when no DataSource is bound (its driver on the class path)
     * @param workDirectory the webapp's work directory, for the embedded file
     */
    public static LedgerDatabase open(String jndiName, boolean required, Optional<String> jdbcUrl, Path workDirectory) {
        Optional<DataSource> server = lookup(jndiName);
        if (server.isPresent()) {
            return migrated(new LedgerDatabase(server.get(), "the server's DataSource " + jndiName, false));
        }
        if (required) {
            throw new IllegalArgumentException("no DataSource is bound at java:comp/env/" + jndiName + " or " + jndiName
                    + " (LEDGER_DATASOURCE): declare it in the server, or leave the setting out for the embedded database");
        }
        if (jdbcUrl.isPresent()) {
            return migrated(new LedgerDatabase(new UrlDataSource(jdbcUrl.get()), "the JDBC URL of LEDGER_JDBC_URL",
                    jdbcUrl.get().startsWith("jdbc:h2:")));
        }
        String file = workDirectory.resolve("claude-proxy-ledger").toAbsolutePath().toString();
        // Open until the webapp stops (close() shuts it down), not only while a connection is.
        return migrated(new LedgerDatabase(new UrlDataSource("jdbc:h2:file:" + file + ";DB_CLOSE_DELAY=-1"),
                "the embedded database " + file + ".mv.db", true));
    }

    /**
     * The DataSource bound at {@code java:comp/env/<name>} (Tomcat's {@code <Resource>}, a
     * {@code resource-ref}), else at {@code <name>} itself (a server's global name: WildFly's
     * {@code java:jboss/datasources/...}, Payara's and Liberty's {@code jdbc/...}).
     */
    private static Optional<DataSource> lookup(String name) {
        for (String candidate : name.startsWith("java:") ? java.util.List.of(name)
                : java.util.List.of("java:comp/env/" + name, name)) {
            try {
                Object bound = new InitialContext().lookup(candidate);
                if (bound instanceof DataSource dataSource) {
                    return Optional.of(dataSource);
                }
                throw new IllegalArgumentException(candidate + " is a " + bound.getClass().getName()
                        + ", not a javax.sql.DataSource (LEDGER_DATASOURCE)");
            } catch (NamingException absent) {
                LOG.log(Level.FINE, () -> "no DataSource at " + candidate);
            }
        }
        return Optional.empty();
    }

    private static LedgerDatabase migrated(LedgerDatabase database) {
        Flyway.configure(LedgerDatabase.class.getClassLoader()).dataSource(database.dataSource)
                .locations("classpath:dev/claudeproxy/ledger/sql")  // none there: the migrations are Java classes
                .javaMigrations(new V1__Ledger(), new V2__Revocations(), new V3__DeviceGrants()).failOnMissingLocations(false).load().migrate();
        LOG.info(() -> "usage ledger in " + database.description);
        return database;
    }

    Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** Whether this is the embedded file, this node's own (not a database other nodes may share). */
    public boolean embedded() {
        return embedded;
    }

    String description() {
        return description;
    }

    /** Shuts the embedded database down (a server's DataSource is the server's to close). */
    @Override
    public void close() {
        if (embedded) {
            try (Connection connection = connection(); Statement statement = connection.createStatement()) {
                statement.execute("SHUTDOWN");
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "the embedded ledger database did not shut down cleanly", e);
            }
        }
    }

    /**
     * A DataSource over a JDBC URL, a connection each time, through the driver found beside this
     * class (not {@code DriverManager}, which on a server does not see a webapp's own drivers).
     */
    private record UrlDataSource(String url, Driver driver) implements DataSource {
        UrlDataSource(String url) {
            this(url, driver(url));
        }

        private static Driver driver(String url) {
            for (Driver candidate : ServiceLoader.load(Driver.class, LedgerDatabase.class.getClassLoader())) {
                try {
                    if (candidate.acceptsURL(url)) {
                        return candidate;
                    }
                } catch (SQLException e) {
                    LOG.log(Level.FINE, "a JDBC driver could not say whether it takes the ledger's URL", e);
                }
            }
            throw new IllegalArgumentException("no JDBC driver on the class path takes LEDGER_JDBC_URL's kind of URL ("
                    + url.substring(0, Math.min(url.length(), url.indexOf(':', 5) < 0 ? url.length() : url.indexOf(':', 5)))
                    + "); put the driver in the server's lib directory, or use a server DataSource");
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = driver.connect(url, new Properties());
            if (connection == null) {
                throw new SQLException("the JDBC driver refused the ledger's URL");
            }
            return connection;
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            Properties credentials = new Properties();
            credentials.setProperty("user", username);
            credentials.setProperty("password", password);
            return driver.connect(url, credentials);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // nothing is logged through it
        }

        @Override
        public void setLoginTimeout(int seconds) {
            // the driver's own
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }

        @Override
        public String toString() {
            return "a DataSource over a JDBC URL"; // the URL may hold a password
        }
    }
}
