package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A program run in a detached tmux session, driven as a user types and read from its screen. It
 * owns the program: {@link #close()} ends the session and returns only once the program and every
 * process it started are gone, so nothing it still had under way reaches the next test.
 */
final class TmuxSession implements AutoCloseable {

    private final String name;
    private final ProcessHandle program;

    private TmuxSession(String name, ProcessHandle program) {
        this.name = name;
        this.program = program;
    }

    /** Starts {@code command} (a shell command line) in a new 200x50 session named {@code name}, in {@code directory}. */
    static TmuxSession start(String name, Path directory, String command) throws Exception {
        String pid = run("tmux", "new-session", "-d", "-P", "-F", "#{pane_pid}", "-s", name, "-x", "200", "-y", "50",
                "-c", directory.toString(), command).strip();
        ProcessHandle program = ProcessHandle.of(Long.parseLong(pid))
                .orElseThrow(() -> new AssertionError("the program in tmux session " + name + " ended at once"));
        return new TmuxSession(name, program);
    }

    /** Types {@code keys} (tmux key names such as {@code Enter} and {@code Escape}, or text). */
    void keys(String... keys) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "send-keys", "-t", name));
        command.addAll(List.of(keys));
        run(command.toArray(String[]::new));
    }

    /** The screen once it shows what is awaited, or as it is when {@code seconds} have passed. */
    String await(Predicate<String> shows, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String screen = "";
        while (System.nanoTime() - end < 0) {
            screen = run("tmux", "capture-pane", "-p", "-J", "-t", name);
            if (shows.test(screen)) {
                return screen;
            }
            Thread.sleep(500);
        }
        return screen;
    }

    @Override
    public void close() throws Exception {
        List<ProcessHandle> processes = new ArrayList<>(program.descendants().toList());
        processes.add(program);
        new ProcessBuilder("tmux", "kill-session", "-t", name).start().waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle process : processes) {
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException hungUp) {
                process.destroyForcibly();
                process.onExit().get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        assertTrue(process.exitValue() == 0, String.join(" ", command) + ": " + out);
        return out;
    }
}
