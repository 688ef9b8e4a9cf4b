package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.LogCapture;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Health, readiness, metrics, the request log and graceful shutdown, as an operator sees them. */
class OperationsTest {

    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":7}}";

    private static HttpResponse<String> get(String url) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String body(boolean stream) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"a prompt that must stay out of logs\"}]}";
    }

    /** The value of one metric sample line, e.g. {@code claude_proxy_requests_total{route="path",...}}. */
    private static double sample(String metrics, String name, String... labels) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                boolean all = true;
                for (String label : labels) {
                    all &= line.contains(label);
                }
                if (all) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return 0;
    }

    @Test
    void healthReadinessAndMetricsLiveOutsideTheRoutes() throws Exception {
        try (GatewayHarness harness = new GatewayHarness("/claude-proxy", Map.of(
                "HAIKU_BASE_URL", "http://127.0.0.1:9/v1", "HAIKU_MODEL_NAME", "small-model",
                "UPSTREAM_KEYS_BY_HOST", "127.0.0.1=sk-never-shown"))) {
            String base = harness.gateway.baseUrl();
            HttpResponse<String> health = get(base + "/_proxy/health");
            assertEquals(200, health.statusCode());
            assertEquals("ok", GatewayHarness.json(health.body()).getString("status"));

            HttpResponse<String> ready = get(base + "/_proxy/ready");
            assertEquals(200, ready.statusCode());
            JsonObject readiness = GatewayHarness.json(ready.body());
            assertEquals("ready", readiness.getString("status"));
            assertEquals("small-model", readiness.getJsonObject("routes").getJsonObject("haiku").getString("model"));
            assertTrue(readiness.getJsonObject("routes").getJsonObject("haiku").isNull("max_input_tokens"), "unknown window");
            assertEquals("any public host", readiness.getString("upstream_allowlist"));
            assertFalse(ready.body().contains("sk-never-shown"));

            harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
            harness.upstream.stubFor(post(urlEqualTo("/down/v1/chat/completions")).willReturn(aResponse().withStatus(503)));
            String messages = harness.route("/v1", "m") + "/v1/messages";
            assertEquals(200, harness.post(messages, body(false)).statusCode());
            assertEquals(200, harness.post(messages, body(true)).statusCode());
            assertEquals(529, harness.post(harness.route("/down/v1", "m") + "/v1/messages", body(false)).statusCode());
            assertEquals(404, harness.post("/nowhere", body(false)).statusCode());

            HttpResponse<String> scrape = get(base + "/_proxy/metrics");
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("content-type").orElseThrow().startsWith("text/plain"));
            String metrics = scrape.body();
            assertEquals(1, sample(metrics, "claude_proxy_requests_total", "route=\"path\"", "stream=\"false\"",
                    "status=\"200\""), metrics);
            assertEquals(1, sample(metrics, "claude_proxy_requests_total", "route=\"path\"", "stream=\"true\"",
                    "status=\"200\""), metrics);
            assertEquals(1, sample(metrics, "claude_proxy_errors_total", "type=\"overloaded_error\""), metrics);
            assertEquals(1, sample(metrics, "claude_proxy_errors_total", "type=\"not_found_error\""), metrics);
            assertEquals(60, sample(metrics, "claude_proxy_tokens_total", "direction=\"input\""), metrics);
            assertEquals(14, sample(metrics, "claude_proxy_tokens_total", "direction=\"output\""), metrics);
            assertEquals(1, sample(metrics, "claude_proxy_time_to_first_byte_seconds_count", "stream=\"true\""), metrics);
            assertEquals(3, sample(metrics, "claude_proxy_request_duration_seconds_count", "stream=\"false\""), metrics);
            assertTrue(metrics.contains("claude_proxy_active_exchanges 0"), metrics);
            assertFalse(metrics.contains("sk-never-shown") || metrics.contains("127.0.0.1"), "no keys, no hosts");

            assertEquals(404, get(base + "/_proxy/other").statusCode());
        }
    }

    /**
     * A body that has arrived is let go at once: the deadline thread used to keep every finished
     * reader (and what it referenced) until its next check, up to a second later, which at load
     * pushed a second's worth of requests into the old generation.
     */
    @Test
    void aRequestBodyStopsCountingAsArrivingOnceItHasArrived() throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of())) {
            harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
            String messages = harness.route("/v1", "m") + "/v1/messages";
            for (int i = 0; i < 5; i++) {
                assertEquals(200, harness.post(messages, body(i % 2 == 0)).statusCode());
                String metrics = get(harness.gateway.baseUrl() + "/_proxy/metrics").body();
                assertTrue(metrics.contains("\nclaude_proxy_request_bodies_arriving "), metrics);
                assertEquals(0, sample(metrics, "claude_proxy_request_bodies_arriving"), metrics);
            }
        }
    }

    @Test
    void metricsCanBeSwitchedOff() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("METRICS_ENABLED", "false"))) {
            HttpResponse<String> scrape = get(gateway.baseUrl() + "/_proxy/metrics");
            assertEquals(404, scrape.statusCode());
            assertEquals("not_found_error", GatewayHarness.json(scrape.body()).getJsonObject("error").getString("type"));
        }
    }

    @Test
    void everyApiRequestLogsOneLineWithUserRouteTimesAndTokensButNoKeyOrPrompt() throws Exception {
        try (LogCapture log = LogCapture.of("dev.claudeproxy.requests", Level.INFO);
             GatewayHarness harness = new GatewayHarness("", Map.of())) {
            harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
            HttpResponse<String> response = harness.post(harness.route("/v1", "upstream-model") + "/v1/messages",
                    body(false), "x-api-key", "sk-client-secret", "X-Forwarded-User", "alice@corp");
            assertEquals(200, response.statusCode());
            String requestId = response.headers().firstValue("request-id").orElseThrow();
            String line = log.await(logged -> logged.contains(requestId), Duration.ofSeconds(10));
            assertEquals(1, log.messages().stream().filter(logged -> logged.contains(requestId)).count(), log.messages().toString());
            Matcher fields = Pattern.compile("request_id=\\S+ endpoint=messages user=alice@corp session=- agent=- route=path "
                    + "upstream=127\\.0\\.0\\.1:\\d+ model=upstream-model stream=false status=200 ttfb_ms=\\d+ ms=\\d+ "
                    + "input_tokens=30 output_tokens=7").matcher(line);
            assertTrue(fields.matches(), line);
            assertFalse(line.contains("sk-client-secret") || line.contains("prompt"), line);
        }
    }

    /**
     * Issue 23, point 5: Claude Code names its session and agents in headers (and its session in
     * metadata.user_id); the request line carries them, the metrics never do (unbounded labels).
     */
    @Test
    void theRequestLineNamesClaudeCodesSessionAndAgentsAndTheMetricsDoNot() throws Exception {
        try (LogCapture log = LogCapture.of("dev.claudeproxy.requests", Level.INFO);
             GatewayHarness harness = new GatewayHarness("", Map.of())) {
            harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
            String path = harness.route("/v1", "upstream-model") + "/v1/messages";
            HttpResponse<String> subagent = harness.post(path, body(false), "x-claude-code-session-id",
                    "0a9c9eea-7de0-4ef0-80c9-c1a5a4218dca", "x-claude-code-agent-id", "agent-7",
                    "x-claude-code-parent-agent-id", "agent 3\tforged=field");
            String fromMetadata = body(false).replace("\"messages\"", "\"metadata\":{\"user_id\":\"{\\\"device_id\\\":"
                    + "\\\"d1\\\",\\\"session_id\\\":\\\"s-from-metadata\\\"}\"},\"messages\"");
            HttpResponse<String> main = harness.post(path, fromMetadata);
            assertEquals(200, subagent.statusCode(), subagent.body());
            assertEquals(200, main.statusCode(), main.body());
            String first = lineOf(log, subagent);
            assertTrue(first.contains(" session=0a9c9eea-7de0-4ef0-80c9-c1a5a4218dca agent=agent-7"
                    + " parent_agent=agent_3_forged=field route="), first);
            assertTrue(lineOf(log, main).contains(" session=s-from-metadata agent=- route="), lineOf(log, main));
            String metrics = GatewayHarness.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    harness.gateway.baseUrl() + "/_proxy/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertFalse(metrics.contains("0a9c9eea") || metrics.contains("agent-7") || metrics.contains("s-from-metadata"));
        }
    }

    private static String lineOf(LogCapture log, HttpResponse<String> response) throws InterruptedException {
        String requestId = response.headers().firstValue("request-id").orElseThrow();
        return log.await(line -> line.contains(requestId), Duration.ofSeconds(10));
    }

    @Test
    void startWithoutAnAllowlistWarnsThatAnyPublicUpstreamMayBeNamed() throws Exception {
        try (LogCapture servlet = LogCapture.of("dev.claudeproxy.servlet.ProxyServlet", Level.WARNING)) {
            try (EmbeddedGateway open = EmbeddedGateway.startAsShipped(0, "127.0.0.1", "", Map.of(), Map.of(), context -> { })) {
                assertTrue(servlet.messages().stream().anyMatch(w -> w.startsWith("UPSTREAM_ALLOWLIST allows any public host")),
                        servlet.messages().toString());
            }
            servlet.clear();
            try (EmbeddedGateway limited = EmbeddedGateway.start("", Map.of("UPSTREAM_ALLOWLIST", "api.groq.com"))) {
                assertTrue(servlet.messages().stream().noneMatch(w -> w.contains("UPSTREAM_ALLOWLIST")),
                        servlet.messages().toString());
            }
        }
    }

    /** Shutdown lets an open stream finish within the grace period instead of cutting it. */
    @Test
    void shutdownLetsOpenStreamsFinish() throws Exception {
        try (ScriptedUpstream slow = new ScriptedUpstream(6, Duration.ofMillis(300))) {
            EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("SHUTDOWN_GRACE_SECONDS", "20"));
            CompletableFuture<HttpResponse<String>> stream = GatewayHarness.HTTP.sendAsync(HttpRequest.newBuilder(
                            URI.create(gateway.baseUrl() + "/http/127.0.0.1:" + slow.port() + "/v1/m/v1/messages"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body(true)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            while (slow.chunksWritten() < 1) {
                Thread.sleep(20);
            }
            long stoppedAt = System.nanoTime();
            gateway.close();
            HttpResponse<String> response = stream.get(30, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("tick 5") && response.body().contains("event: message_stop"),
                    "the stream ran to its end: " + response.body());
            assertTrue(System.nanoTime() - stoppedAt < TimeUnit.SECONDS.toNanos(20), "within the grace period");
        }
    }
}
