package dev.claudeproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.config.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exchange is counted before its client has the end of its answer: a scrape (or the client's
 * next request) made once the answer is complete sees it. CI caught a scrape that found the 529
 * counted by status but not yet by error type, and the exchange still active: the answer was
 * completed first and recorded after.
 */
class TelemetryTest {

    @Test
    void anExchangeIsRecordedBeforeItsAnswerIsCompleted(@TempDir Path work) {
        Accounting accounting = Accounting.start(new Usage(false, "jdbc/none", false, Optional.empty(), 1, false,
                Optional.empty(), List.of()), work);
        Telemetry telemetry = new Telemetry(() -> 0, accounting);
        telemetry.started();
        Trace trace = new Trace("req_1");
        trace.routeKind = "path";
        trace.errorType = "overloaded_error";
        List<String> seenAtCompletion = new ArrayList<>();

        telemetry.finish(trace, 529, () -> seenAtCompletion.add(scrape(telemetry)));
        telemetry.finish(trace, 529, () -> seenAtCompletion.add(scrape(telemetry)));

        assertEquals(2, seenAtCompletion.size(), "completed on every call");
        String metrics = seenAtCompletion.get(0);
        assertTrue(metrics.contains("claude_proxy_errors_total{type=\"overloaded_error\"} 1.0"), metrics);
        assertTrue(metrics.contains("claude_proxy_requests_total{route=\"path\",status=\"529\",stream=\"false\"} 1.0"),
                metrics);
        assertTrue(metrics.contains("claude_proxy_active_exchanges 0.0"), metrics);
        assertEquals(metrics, seenAtCompletion.get(1), "counted once");
        assertEquals(0, telemetry.active());
    }

    /**
     * Recording that fails still completes the answer and leaves the active count: in a load run
     * that ran the process out of files, a class could not be loaded while an exchange was
     * recorded, and its client waited for ever.
     */
    @Test
    void anExchangeWhoseRecordingFailsIsStillCompleted(@TempDir Path work) {
        Accounting accounting = Accounting.start(new Usage(false, "jdbc/none", false, Optional.empty(), 1, false,
                Optional.empty(), List.of()), work);
        Telemetry telemetry = new Telemetry(() -> 0, accounting);
        java.util.logging.Logger requests = java.util.logging.Logger.getLogger("dev.claudeproxy.requests");
        java.util.logging.Handler broken = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                throw new IllegalStateException("the log handler broke");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        requests.addHandler(broken);
        try {
            telemetry.started();
            boolean[] completed = new boolean[1];
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> telemetry.finish(new Trace("req_2"), 200, () -> completed[0] = true));
            assertTrue(completed[0], "the answer was completed");
            assertEquals(0, telemetry.active(), "the exchange left the active count");
        } finally {
            requests.removeHandler(broken);
        }
    }

    private static String scrape(Telemetry telemetry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            telemetry.writeMetrics(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
