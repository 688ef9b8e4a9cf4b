package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.LogCapture;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request bodies and paths a hostile or broken client can send (issue 11, point 18): each is a
 * 4xx in the Anthropic envelope naming what is wrong, never a 500, never the container's HTML
 * error page, never a flood of log lines, and nothing reaches the upstream.
 */
class HostileInputTest {

    private static GatewayHarness harness;

    @BeforeAll
    static void start() {
        harness = new GatewayHarness("", Map.of());
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @BeforeEach
    void upstreamAnswers() {
        harness.upstream.resetAll();
        harness.upstream.stubFor(post(urlPathMatching(".*")).willReturn(okJson("{\"choices\":[{\"index\":0,"
                + "\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}]}")));
    }

    private static String nested(int depth) {
        return "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"t\",\"content\":\"x\",\"extra\":" + "[".repeat(depth) + "]".repeat(depth) + "}]}]}";
    }

    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of("nesting past the limit", nested(1_001), "nested"),
                Arguments.of("nesting far past the limit", nested(200_000), "nested"),
                Arguments.of("a number that is not finite", "{\"model\":\"m\",\"max_tokens\":10,\"temperature\":1e400,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "temperature"),
                Arguments.of("max_tokens past 2^63", "{\"model\":\"m\",\"max_tokens\":18446744073709551621,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "max_tokens"),
                Arguments.of("top_p past any double", "{\"model\":\"m\",\"max_tokens\":10,\"top_p\":-1e999,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "top_p"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void aHostileBodyIsA400NamingTheField(String rule, String body, String named) throws Exception {
        try (LogCapture log = LogCapture.of("dev.claudeproxy", Level.ALL)) {
            for (String endpoint : new String[] {"/v1/messages", "/v1/messages/count_tokens"}) {
                HttpResponse<String> response = harness.post(harness.route("/v1", "m") + endpoint, body);
                assertAnthropicError(response, 400, "invalid_request_error");
                assertTrue(response.body().contains(named), endpoint + ": " + response.body());
            }
            assertTrue(log.messages().size() <= 10, "a few log lines at most, not " + log.messages().size());
        }
        harness.upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    static Stream<Arguments> paths() {
        return Stream.of(
                Arguments.of("/http/127.1/v1/m/v1/messages", 404),
                Arguments.of("/http/0x7f.1/v1/m/v1/messages", 404),
                Arguments.of("/http/%5B::1/v1/m/v1/messages", 404));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void aHostileHostIsAClear4xx(String path, int status) throws Exception {
        HttpResponse<String> response = harness.post(path, "{\"model\":\"m\",\"max_tokens\":10,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertAnthropicError(response, status, "not_found_error");
        harness.upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    /** Issue 11, point 19: what a client writes never forges a request-log line or a field in one. */
    @org.junit.jupiter.api.Test
    void aClientCannotForgeTheRequestLog() throws Exception {
        try (LogCapture log = LogCapture.of("dev.claudeproxy.requests", Level.INFO)) {
            String forged = "m\\nrequest_id=req_forged status=200";
            HttpResponse<String> newline = harness.post(harness.route("/v1", "m") + "/v1/messages",
                    "{\"model\":\"" + forged + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertAnthropicError(newline, 400, "invalid_request_error");
            assertTrue(newline.body().contains("model"), newline.body());
            HttpResponse<String> inPath = harness.post(harness.route("/v1", "m%0Arequest_id=req_forged") + "/v1/messages",
                    "{\"model\":\"claude-x\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertAnthropicError(inPath, 404, "not_found_error");
            HttpResponse<String> spaced = harness.post(harness.route("/v1", "m") + "/v1/messages",
                    "{\"model\":\"fast status=999 user=root\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    "X-Forwarded-User", "alice status=999");
            assertEquals(200, spaced.statusCode(), spaced.body());
            for (String line : log.messages()) {
                assertTrue(!line.contains("\n") && !line.contains("req_forged"), line);
                assertEquals(1, line.split(" status=", -1).length - 1, "one status field: " + line);
                assertTrue(!line.contains(" user=root"), line);
            }
        }
    }

    static void assertAnthropicError(HttpResponse<String> response, int status, String type) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                "JSON, not the container's error page: " + response.body());
        JsonObject error = GatewayHarness.json(response.body());
        assertEquals("error", error.getString("type"), response.body());
        assertEquals(type, error.getJsonObject("error").getString("type"), response.body());
    }
}
