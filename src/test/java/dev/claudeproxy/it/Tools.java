package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The command-line tools some tests drive: required in CI ({@code .ci/run} installs them), skipped without them elsewhere. */
final class Tools {

    private Tools() {
    }

    static void require(String... tools) {
        for (String tool : tools) {
            if (System.getenv("CI") != null) {
                assertTrue(installed(tool), tool + " must be installed in CI (.ci/run installs it)");
            }
            assumeTrue(installed(tool), tool + " is not installed; skipped");
        }
    }

    static boolean installed(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
