package dev.claudeproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the ledger's tests: Debian's {@code postgresql} package
 * (installed by {@code .ci/run}), a throwaway cluster in a temporary directory on a free port of
 * loopback, started by the test and stopped with it. As root (CI), it runs as the
 * {@code postgres} user, as PostgreSQL requires.
 */
public final class Postgres implements AutoCloseable {

    private final Path directory;
    private final Path bin;
    private final int port;
    private final boolean asPostgres;

    private Postgres(Path directory, Path bin, int port, boolean asPostgres) {
        this.directory = directory;
        this.bin = bin;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    public static Postgres start() throws Exception {
        Path bin = binaries();
        boolean root = System.getProperty("user.name").equals("root");
        Path directory = Files.createTempDirectory("claude-proxy-postgres");
        if (root) {
            UserPrincipal postgres = directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(directory, postgres);
        }
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Postgres server = new Postgres(directory, bin, port, root);
        server.run("initdb", "-D", directory.resolve("data").toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                "--no-sync");
        server.run("pg_ctl", "-D", directory.resolve("data").toString(), "-l", directory.resolve("log").toString(), "-w",
                "-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        return server;
    }

    /** The newest Debian PostgreSQL's programs. */
    private static Path binaries() throws IOException {
        Path versions = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            throw new IllegalStateException("PostgreSQL is not installed: apt-get install postgresql (.ci/run does)");
        }
        try (Stream<Path> each = Files.list(versions)) {
            return each.map(version -> version.resolve("bin")).filter(dir -> Files.isExecutable(dir.resolve("initdb")))
                    .max(Comparator.comparingInt(dir -> Integer.parseInt(dir.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("no initdb under /usr/lib/postgresql"));
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** A new, empty database of this server: its JDBC URL. */
    public String createDatabase(String name) throws java.sql.SQLException {
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(jdbcUrl());
             java.sql.Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        return jdbcUrl().replace("/postgres?", "/" + name + "?");
    }

    /** Stops the server at once, as a crash would, without deleting its data: {@link #resume} starts it again. */
    public void pause() throws Exception {
        run("pg_ctl", "-D", directory.resolve("data").toString(), "-m", "immediate", "-w", "stop");
    }

    public void resume() throws Exception {
        run("pg_ctl", "-D", directory.resolve("data").toString(), "-l", directory.resolve("log").toString(), "-w",
                "-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    }

    private void run(String program, String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        if (asPostgres) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(program + " did not finish: " + out);
        }
        assertEquals(0, process.exitValue(), program + ": " + out);
    }

    @Override
    public void close() throws Exception {
        try {
            pause();
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
