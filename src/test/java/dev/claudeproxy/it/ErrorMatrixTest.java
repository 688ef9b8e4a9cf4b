package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.claudeproxy.LogCapture;
import jakarta.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a request can fail, and what the client sees: status, Anthropic error type, headers.
 * Upstream failures before the first byte are plain HTTP errors (for streaming requests too), so
 * the SDKs' retry logic applies.
 */
class ErrorMatrixTest {

    private static final String BODY = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static GatewayHarness harness;

    @BeforeAll
    static void start() {
        // Retries are ResilienceTest's subject; here each upstream answer maps to the client's error once. The
        // keep-alive interval is longer than these 1 s deadlines, so that their failures come before a stream is
        // committed (EarlyDisconnectTest has what comes after). The stand-in at 127.0.0.1 is named a provider
        // API, so its error texts are relayed as a provider's are; as localhost it is an internal service.
        harness = new GatewayHarness("", Map.of("UPSTREAM_READ_TIMEOUT_SECONDS", "1", "UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS", "1",
                "UPSTREAM_RETRIES", "0", "KEEPALIVE_SECONDS", "5", "PROFILE_BY_HOST", "127.0.0.1=generic"));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    static Stream<Arguments> upstreamStatuses() {
        String json = "application/json";
        return Stream.of(
                Arguments.of(400, json, "{\"error\":{\"message\":\"bad tool schema\",\"type\":\"invalid_request_error\"}}", null,
                        400, "invalid_request_error", "bad tool schema", null),
                Arguments.of(400, json, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens.\","
                                + "\"code\":\"context_length_exceeded\"}}", null,
                        400, "invalid_request_error", "prompt is too long", null),
                Arguments.of(401, json, "{\"error\":{\"message\":\"Invalid API Key\",\"code\":\"invalid_api_key\"}}", null,
                        401, "authentication_error", "Invalid API Key", null),
                Arguments.of(403, json, "{\"error\":{\"code\":403,\"message\":\"flagged by moderation\"}}", null,
                        403, "permission_error", "flagged by moderation", null),
                Arguments.of(404, json, "{\"error\":{\"message\":\"The model `nope` does not exist\"}}", null,
                        404, "not_found_error", "does not exist", null),
                Arguments.of(413, "text/plain", "Request Entity Too Large", null,
                        413, "request_too_large", "text/plain body of 24 bytes, not shown", null),
                Arguments.of(422, json, "{\"object\":\"error\",\"message\":{\"detail\":[{\"type\":\"extra_forbidden\","
                                + "\"loc\":[\"body\",\"x\"],\"msg\":\"Extra inputs are not permitted\"}]},\"type\":\"invalid_request_error\"}", null,
                        400, "invalid_request_error", "Extra inputs are not permitted", null),
                Arguments.of(429, json, "{\"error\":{\"message\":\"Rate limit reached\"}}", "7",
                        429, "rate_limit_error", "Rate limit reached", "7"),
                Arguments.of(500, json, "{\"error\":{\"message\":\"boom\"}}", null,
                        500, "api_error", "boom", null),
                Arguments.of(502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>", null,
                        502, "api_error", "text/html body of", null),
                Arguments.of(503, json, "[{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}]", "3",
                        529, "overloaded_error", "The model is overloaded.", "3"),
                Arguments.of(529, json, "{\"error\":{\"message\":\"Overloaded\"}}", null,
                        529, "overloaded_error", "Overloaded", null));
    }

    @ParameterizedTest(name = "upstream {0} -> {4} {5}")
    @MethodSource("upstreamStatuses")
    void upstreamErrorBecomesAnthropicError(int upstreamStatus, String contentType, String upstreamBody, String retryAfter,
                                            int status, String type, String messagePart, String expectedRetryAfter)
            throws Exception {
        var answer = aResponse().withStatus(upstreamStatus).withHeader("Content-Type", contentType).withBody(upstreamBody);
        if (retryAfter != null) {
            answer = answer.withHeader("retry-after", retryAfter);
        }
        String path = "/status" + upstreamStatus + "/v1";
        harness.upstream.stubFor(post(urlEqualTo(path + "/chat/completions")).willReturn(answer));
        HttpResponse<String> response = harness.post(harness.route(path, "m") + "/v1/messages", BODY,
                "x-api-key", "sk-secret-key-123");
        assertError(response, status, type, messagePart);
        assertEquals(Optional.ofNullable(expectedRetryAfter), response.headers().firstValue("retry-after"));
        assertFalse(response.body().contains("sk-secret-key-123"), "keys never appear in errors");
        assertFalse(response.body().contains("<") || response.body().contains("Entity"), "other bodies are never relayed");
    }

    @Test
    void contextLengthErrorStartsWithThePhraseClaudeCodeCompactsOn() throws Exception {
        harness.upstream.stubFor(post(urlEqualTo("/ctx/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"object\":\"error\",\"message\":\"This model's maximum context length is 32768 tokens. However, "
                        + "you requested 40000 tokens in the messages.\",\"type\":\"BadRequestError\",\"code\":400}")));
        HttpResponse<String> response;
        try (LogCapture log = LogCapture.of("dev.claudeproxy.call", Level.INFO)) {
            response = harness.post(harness.route("/ctx/v1", "m") + "/v1/messages", BODY);
            // Issue 16: the operator learns the window the upstream names, and the setting that gives it.
            String told = "upstream 127.0.0.1:" + harness.upstream.port() + " refused a prompt too long for model m"
                    + " and names its context window: 32768 tokens; the gateway does not know it. Set CONTEXT_WINDOWS="
                    + "127.0.0.1:" + harness.upstream.port() + "/m=32768";
            assertTrue(log.messages().stream().anyMatch(line -> line.contains(told)), log.messages().toString());
        }
        assertError(response, 400, "invalid_request_error", "");
        assertTrue(GatewayHarness.json(response.body()).getJsonObject("error").getString("message")
                .startsWith("prompt is too long"));
    }

    /**
     * Issue 24: an upstream that is no provider's API (an internal service the allowlist lets in) may
     * put its secrets in an error text: the client is told the status, the kind, and that a message
     * was withheld, never the message; a context-length error still asks the client to compact.
     */
    @ParameterizedTest(name = "internal upstream {0}")
    @org.junit.jupiter.params.provider.CsvSource({"400, invalid_request_error, upstream answered 400: (a message of",
        "401, authentication_error, upstream answered 401: (a message of", "500, api_error, upstream answered 500: (a message of",
        "503, overloaded_error, upstream answered 503: (a message of", "200, api_error, upstream error: (a message of",
        "413, invalid_request_error, prompt is too long: (a message of"})
    void anInternalUpstreamsErrorTextIsNotRelayed(int upstreamStatus, String type, String messageStart) throws Exception {
        String secret = (upstreamStatus == 413 ? "maximum context length exceeded; " : "")
                + "connected as svc_llm with password hunter2 to 10.0.0.7";
        String path = "/internal" + upstreamStatus + "/v1";
        harness.upstream.stubFor(post(urlEqualTo(path + "/chat/completions")).willReturn(upstreamStatus == 200
                ? aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody("data: {\"error\":{\"message\":\"" + secret + "\",\"code\":500}}\n\n")
                : aResponse().withStatus(upstreamStatus).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"" + secret + "\"}}")));
        HttpResponse<String> response = harness.post("/http/localhost:" + harness.upstream.port() + path + "/m/v1/messages",
                BODY);
        assertFalse(response.body().contains("hunter2"), response.body());
        if (upstreamStatus == 200) {
            assertEquals(java.util.List.of("message_start", "error " + type), dev.claudeproxy.SseTranscript.lines(response.body()));
            assertTrue(response.body().contains(messageStart), response.body());
        } else {
            JsonObject error = GatewayHarness.json(response.body()).getJsonObject("error");
            assertEquals(type, error.getString("type"), response.body());
            assertTrue(error.getString("message").startsWith(messageStart), response.body());
        }
    }

    @Test
    void unreachableUpstreamIs502ApiError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HttpResponse<String> response = harness.post("/http/127.0.0.1:" + closedPort + "/v1/m/v1/messages", BODY);
        assertError(response, 502, "api_error", "could not be reached");
    }

    @Test
    void upstreamResettingTheConnectionIs502ApiError() throws Exception {
        harness.upstream.stubFor(post(urlEqualTo("/reset/v1/chat/completions"))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertError(harness.post(harness.route("/reset/v1", "m") + "/v1/messages", BODY), 502, "api_error", "");
    }

    @Test
    void silentUpstreamIs504TimeoutError() throws Exception {
        harness.upstream.stubFor(post(urlEqualTo("/slow/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withFixedDelay(3000).withBody("{}")));
        assertError(harness.post(harness.route("/slow/v1", "m") + "/v1/messages", BODY), 504, "timeout_error", "did not answer within 1 s");
    }

    @Test
    void upstreamSilentMidStreamEndsWithErrorEvent() throws Exception {
        try (ScriptedUpstream stalling = new ScriptedUpstream(2, java.time.Duration.ofSeconds(3))) {
            HttpResponse<String> response = harness.post("/http/127.0.0.1:" + stalling.port() + "/v1/m/v1/messages", BODY);
            assertEquals(200, response.statusCode());
            var lines = dev.claudeproxy.SseTranscript.lines(response.body());
            assertEquals(java.util.List.of("message_start", "start 0 text", "delta 0 text tick 0 ", "error timeout_error"), lines);
        }
    }

    @Test
    void upstreamAnsweringJsonToAStreamRequestIsReplayedAsEvents() throws Exception {
        harness.upstream.stubFor(post(urlEqualTo("/json/v1/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody("{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"Whole\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}")));
        HttpResponse<String> response = harness.post(harness.route("/json/v1", "m") + "/v1/messages", BODY);
        assertEquals(java.util.List.of("message_start", "start 0 text", "delta 0 text Whole", "stop 0",
                "message_delta end_turn in=5 out=1 cache_read=0", "message_stop"),
                dev.claudeproxy.SseTranscript.lines(response.body()));
    }

    static Stream<Arguments> badClientRequests() {
        return Stream.of(
                Arguments.of("{not json", "not valid JSON"),
                Arguments.of("[1,2]", "JSON object"),
                Arguments.of("{\"model\":\"m\",\"messages\":[]}", "max_tokens: Field required"),
                Arguments.of("{\"model\":\"m\",\"max_tokens\":10}", "messages: Field required"),
                Arguments.of("{\"model\":\"m\",\"max_tokens\":0,\"messages\":[]}", "max_tokens"),
                Arguments.of("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}",
                        "messages.0.role"),
                Arguments.of("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
                        + "\"source\":{\"type\":\"file\",\"file_id\":\"f\"}}]}]}", "messages.0.content.0.source"),
                Arguments.of("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                        + "\"tools\":[{\"name\":\"a\",\"input_schema\":{}}],\"tool_choice\":{\"type\":\"tool\",\"name\":\"b\"}}",
                        "tool_choice.name"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badClientRequests")
    void invalidRequestIs400NamingTheProblem(String body, String messagePart) throws Exception {
        assertError(harness.post(harness.route("/never/v1", "m") + "/v1/messages", body),
                400, "invalid_request_error", messagePart);
        assertEquals(0, harness.upstream.findAll(com.github.tomakehurst.wiremock.client.WireMock
                .postRequestedFor(urlEqualTo("/never/v1/chat/completions"))).size());
    }

    @Test
    void wrongMethodIs405WithAllowPost() throws Exception {
        HttpResponse<String> response = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                URI.create(harness.gateway.baseUrl() + harness.route("/v1", "m") + "/v1/messages")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(response, 405, "invalid_request_error", "POST");
        assertEquals(Optional.of("POST"), response.headers().firstValue("Allow"));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/v1/chat/completions", "/api.groq.com/v1/messages/extra",
        "/http/v1/messages", "/bad_host!/m/v1/messages", "/host:99999/m/v1/messages"})
    void unparsablePathIs404ShowingTheExpectedForm(String path) throws Exception {
        HttpResponse<String> response = harness.post(path, BODY);
        assertError(response, 404, "not_found_error", "/<scheme>/<host>[:port]/<path>/<model>/v1/messages");
    }

    @ParameterizedTest(name = "HEAD {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/", "/http/127.0.0.1:9/v1/route-model/api/hello",
        "/api.groq.com/openai/v1/m"})
    void headProbeIsAnswered200(String path) throws Exception {
        HttpResponse<Void> response = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(harness.gateway.baseUrl() + path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, response.statusCode());
    }

    private static void assertError(HttpResponse<String> response, int status, String type, String messagePart) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonObject body = GatewayHarness.json(response.body());
        assertEquals("error", body.getString("type"));
        assertEquals(type, body.getJsonObject("error").getString("type"));
        assertTrue(body.getJsonObject("error").getString("message").contains(messagePart),
                body.getJsonObject("error").getString("message"));
    }
}
