package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.claudeproxy.SseTranscript;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upstream failures before the first byte are retried and fall back, so they never reach a user
 * as a broken session; what is not retryable, or past the limits, is answered at once.
 */
class ResilienceTest {

    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

    private static String body(boolean stream) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    /** The upstream answers {@code first}, then 200 (a JSON completion, or a stream when asked). */
    private static void failOnceThenAnswer(GatewayHarness harness, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder first) {
        harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(first).willSetStateTo("recovered"));
        harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(okJson(COMPLETION)));
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void a503IsRetriedAndTheClientSeesOnlyTheAnswer(boolean stream) throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of())) {
            failOnceThenAnswer(harness, aResponse().withStatus(503).withBody("busy"));
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + "/v1/messages", body(stream));
            assertEquals(200, response.statusCode(), response.body());
            if (stream) {
                List<String> transcript = SseTranscript.lines(response.body());
                assertEquals("message_stop", transcript.get(transcript.size() - 1), response.body());
            }
            harness.upstream.verify(2, postRequestedFor(anyUrl()));
        }
    }

    @Test
    void aDroppedConnectionIsRetried() throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of())) {
            failOnceThenAnswer(harness, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + "/v1/messages", body(false));
            assertEquals(200, response.statusCode(), response.body());
            harness.upstream.verify(2, postRequestedFor(anyUrl()));
        }
    }

    @Test
    void retryAfterIsWaitedForBeforeTheRetry() throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of())) {
            failOnceThenAnswer(harness, aResponse().withStatus(429).withHeader("retry-after", "1"));
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + "/v1/messages", body(false));
            assertEquals(200, response.statusCode(), response.body());
            List<LoggedRequest> calls = harness.upstream.findAll(postRequestedFor(anyUrl()));
            assertEquals(2, calls.size());
            long gap = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
            assertTrue(gap >= 950, "the retry came " + gap + " ms after a retry-after of 1 s");
        }
    }

    @Test
    void aRetryAfterLongerThanTheLimitGoesToTheClientAtOnce() throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of("UPSTREAM_RETRY_MAX_WAIT_SECONDS", "5"))) {
            harness.upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(429).withHeader("retry-after", "120")
                    .withBody("{\"error\":{\"message\":\"slow down\"}}")));
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + "/v1/messages", body(false));
            assertEquals(429, response.statusCode());
            assertEquals("120", response.headers().firstValue("retry-after").orElseThrow());
            harness.upstream.verify(1, postRequestedFor(anyUrl()));
        }
    }

    @Test
    void retriesStopAtTheLimitAndTheClientGetsTheError() throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of("UPSTREAM_RETRIES", "2"))) {
            harness.upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(503)));
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + "/v1/messages", body(true));
            assertEquals(529, response.statusCode(), response.body());
            assertEquals("overloaded_error", GatewayHarness.json(response.body()).getJsonObject("error").getString("type"));
            harness.upstream.verify(3, postRequestedFor(anyUrl()));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 404, 500})
    void otherErrorsAreNotRetried(int status) throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of())) {
            harness.upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(status)));
            assertEquals(status == 500 ? 500 : status,
                    harness.post(harness.route("/v1", "m") + "/v1/messages", body(false)).statusCode());
            harness.upstream.verify(1, postRequestedFor(anyUrl()));
        }
    }

    @Test
    void aFailingRouteFallsBackAndIsPassedOverDuringItsCooldown() throws Exception {
        try (GatewayHarness probe = new GatewayHarness("", Map.of())) {
            String upstream = "http://127.0.0.1:" + probe.upstream.port();
            probe.upstream.stubFor(post(urlEqualTo("/sonnet/v1/chat/completions")).willReturn(aResponse().withStatus(502)));
            probe.upstream.stubFor(post(urlEqualTo("/default/v1/chat/completions")).willReturn(okJson(COMPLETION)));
            try (GatewayHarness harness = new GatewayHarness("", Map.of("UPSTREAM_RETRIES", "0",
                    "SONNET_BASE_URL", upstream + "/sonnet/v1", "SONNET_MODEL_NAME", "primary",
                    "DEFAULT_BASE_URL", upstream + "/default/v1", "DEFAULT_MODEL_NAME", "backup",
                    "SONNET_FALLBACK", "default"))) {
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> response = harness.post("/v1/messages", body(i == 1));
                    assertEquals(200, response.statusCode(), response.body());
                }
                probe.upstream.verify(1, postRequestedFor(urlEqualTo("/sonnet/v1/chat/completions")));
                probe.upstream.verify(3, postRequestedFor(urlEqualTo("/default/v1/chat/completions")));
            }
        }
    }

    @Test
    void whenEveryRouteFailsTheClientGetsTheLastError() throws Exception {
        try (GatewayHarness probe = new GatewayHarness("", Map.of())) {
            String upstream = "http://127.0.0.1:" + probe.upstream.port();
            probe.upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(503)));
            try (GatewayHarness harness = new GatewayHarness("", Map.of("UPSTREAM_RETRIES", "0",
                    "OPUS_BASE_URL", upstream + "/opus/v1", "OPUS_MODEL_NAME", "primary",
                    "HAIKU_BASE_URL", upstream + "/haiku/v1", "HAIKU_MODEL_NAME", "small",
                    "OPUS_FALLBACK", "haiku", "HAIKU_FALLBACK", "opus"))) {
                HttpResponse<String> response = harness.post("/v1/messages", body(false).replace("sonnet", "opus"));
                assertEquals(529, response.statusCode(), response.body());
                probe.upstream.verify(1, postRequestedFor(urlEqualTo("/opus/v1/chat/completions")));
                probe.upstream.verify(1, postRequestedFor(urlEqualTo("/haiku/v1/chat/completions")));
            }
        }
    }
}
