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
import org.junit.jupiter.params.provider.CsvSource;
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
        // Three calls and two backoffs outlast the keep-alive interval, after which a stream is committed.
        try (GatewayHarness harness = new GatewayHarness("", Map.of("UPSTREAM_RETRIES", "2", "KEEPALIVE_SECONDS", "10"))) {
            harness.upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(503)));
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + "/v1/messages", body(true));
            assertEquals(529, response.statusCode(), response.body());
            assertEquals("overloaded_error", GatewayHarness.json(response.body()).getJsonObject("error").getString("type"));
            harness.upstream.verify(3, postRequestedFor(anyUrl()));
        }
    }

    @ParameterizedTest(name = "{0} becomes {1} {2}")
    @CsvSource({"400,400,invalid_request_error", "401,401,authentication_error", "404,404,not_found_error",
        "422,400,invalid_request_error", "500,500,api_error", "501,501,api_error"})
    void otherErrorsAreNotRetried(int upstreamStatus, int clientStatus, String type) throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of())) {
            harness.upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(upstreamStatus)));
            HostileInputTest.assertAnthropicError(harness.post(harness.route("/v1", "m") + "/v1/messages", body(false)),
                    clientStatus, type);
            harness.upstream.verify(1, postRequestedFor(anyUrl()));
        }
    }

    /**
     * Issue 12, point 6: retries used to multiply, the SDK's times the gateway's. A request the
     * client marks as its own retry is sent upstream once; a first attempt gets the gateway's retries.
     */
    @Test
    void aRequestTheClientIsRetryingIsNotRetriedAgainByTheGateway() throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of("UPSTREAM_RETRIES", "2"))) {
            harness.upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(503)));
            String path = harness.route("/v1", "m") + "/v1/messages";
            assertEquals(529, harness.post(path, body(false), "x-stainless-retry-count", "1").statusCode());
            harness.upstream.verify(1, postRequestedFor(anyUrl()));
            harness.upstream.resetRequests();
            assertEquals(529, harness.post(path, body(false), "x-stainless-retry-count", "0").statusCode());
            harness.upstream.verify(3, postRequestedFor(anyUrl()));
        }
    }

    /** Issue 12, point 6: without retry-after, the reset of the exhausted rate limit tells the client how long to wait. */
    @Test
    void aRateLimitsResetTimeBecomesRetryAfterMs() throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of("UPSTREAM_RETRY_MAX_WAIT_SECONDS", "5"))) {
            harness.upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(429)
                    .withHeader("x-ratelimit-remaining-tokens", "0").withHeader("x-ratelimit-reset-tokens", "1m30.5s")
                    .withHeader("x-ratelimit-remaining-requests", "12").withHeader("x-ratelimit-reset-requests", "2s")
                    .withBody("{\"error\":{\"message\":\"tokens per minute exceeded\"}}")));
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + "/v1/messages", body(false));
            HostileInputTest.assertAnthropicError(response, 429, "rate_limit_error");
            assertEquals("90500", response.headers().firstValue("retry-after-ms").orElseThrow());
            assertTrue(response.headers().firstValue("x-should-retry").isEmpty(), "the client may retry, after the wait");
            harness.upstream.verify(1, postRequestedFor(anyUrl()));
        }
    }

    /** Issue 12, point 6: a failure that would come again on a retry says so, so the SDKs do not pay for it again. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "an answer that is no chat completion|200|text/html|<html>login</html>|502|false",
        "an overloaded upstream|503|application/json|{\"error\":{\"message\":\"busy\"}}|529|true"})
    void deterministicFailuresTellTheClientNotToRetry(String what, int status, String contentType, String answer,
                                                       int clientStatus, boolean retryable) throws Exception {
        try (GatewayHarness harness = new GatewayHarness("", Map.of("UPSTREAM_RETRIES", "0"))) {
            harness.upstream.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(status)
                    .withHeader("content-type", contentType).withBody(answer)));
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + "/v1/messages", body(false));
            assertEquals(clientStatus, response.statusCode(), response.body());
            assertEquals(retryable ? "" : "false", response.headers().firstValue("x-should-retry").orElse(""), response.body());
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
