package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The real Claude Code CLI, pinned, installed from the npm registry once under
 * {@code target/claude-code}. The project's compatibility check for each Claude Code release:
 * to try a new one, run the end-to-end test with {@code -Dclaude.code.version=<version>}; to move
 * the pin, change {@link #PINNED} (and the README's Develop section says the same).
 */
final class ClaudeCodeCli {

    /** The Claude Code release the gateway is checked against. */
    static final String PINNED = "2.1.331";
    private static final Path HOME = Path.of("target/claude-code");

    private ClaudeCodeCli() {
    }

    static String version() {
        return System.getProperty("claude.code.version", PINNED);
    }

    /** The {@code claude} binary, installed if it is not there in this version. */
    static Path install() throws IOException, InterruptedException {
        Tools.require("node", "npm");
        String version = version();
        Path installed = HOME.resolve("node_modules/@anthropic-ai/claude-code/package.json");
        if (!Files.exists(installed) || !Files.readString(installed).contains("\"version\": \"" + version + "\"")) {
            Files.createDirectories(HOME);
            Files.writeString(HOME.resolve("package.json"), "{\"private\":true}");
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix",
                    HOME.toAbsolutePath().toString(), "@anthropic-ai/claude-code@" + version).redirectErrorStream(true).start();
            String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(npm.waitFor(10, TimeUnit.MINUTES), "npm finished");
            assertEquals(0, npm.exitValue(), "npm install @anthropic-ai/claude-code@" + version + ": " + out);
        }
        // The platform's native binary, which the package's postinstall would copy over its placeholder.
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT).contains("aarch64") ? "arm64" : "x64";
        for (Path candidate : List.of(HOME.resolve("node_modules/@anthropic-ai/claude-code-linux-" + arch + "/claude"),
                HOME.resolve("node_modules/.bin/claude"))) {
            if (Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException("no claude binary under " + HOME.toAbsolutePath());
    }

    /** A directory holding only a {@code claude} link to the binary, to put on a scratch PATH. */
    static Path onPath(Path binary, Path scratch) throws IOException {
        Path bin = Files.createDirectories(scratch.resolve("claude-bin"));
        Path link = bin.resolve("claude");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, binary);
        return bin;
    }
}
