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
        return find(tool) != null;
    }

    /** The first of {@code names} on the PATH, as an absolute path; {@code null} when none is. */
    static Path find(String... names) {
        for (String name : names) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                Path candidate = Path.of(dir, name);
                if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath();
                }
            }
        }
        return null;
    }
}
