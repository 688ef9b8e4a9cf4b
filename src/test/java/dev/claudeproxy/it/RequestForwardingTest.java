package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.claudeproxy.EmbeddedGateway;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What reaches the upstream (URL, model, credentials, body) and what the client gets back without streaming. */
class RequestForwardingTest {

    private static final String COMPLETION = "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"model\":\"up\","
            + "\"choices\":[{\"index\":0,\"finish_reason\":\"tool_calls\",\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Checking.\",\"tool_calls\":[{\"id\":\"call_0\",\"type\":\"function\",\"function\":"
            + "{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}}],"
            + "\"usage\":{\"prompt_tokens\":2460,\"completion_tokens\":57,\"total_tokens\":2517,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":2048}}}";
    private static final String SIMPLE = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":128000,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static GatewayHarness harness;

    @BeforeAll
    static void start() {
        harness = new GatewayHarness("", Map.of("MAX_OUTPUT_TOKENS_BY_HOST", "localhost=2048"));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @BeforeEach
    void reset() {
        harness.upstream.resetAll();
        harness.upstream.stubFor(post(urlPathEqualTo("/openai/v1/chat/completions")).willReturn(okJson(COMPLETION)));
    }

    @Test
    void pathNamesUpstreamUrlAndModel() throws Exception {
        HttpResponse<String> response = harness.post(harness.route("/openai/v1", "llama-3.3-70b") + "/v1/messages?beta=true",
                SIMPLE, "x-api-key", "sk-client");
        assertEquals(200, response.statusCode(), response.body());
        JsonObject sent = upstreamBody();
        assertEquals("llama-3.3-70b", sent.getString("model"));
    }

    @Test
    void modelIdWithSlashesFollowsTildeSegment() throws Exception {
        HttpResponse<String> response = harness.post("/http/127.0.0.1:" + harness.upstream.port()
                + "/openai/v1/~/meta-llama/llama-3.3-70b-instruct/v1/messages", SIMPLE);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("meta-llama/llama-3.3-70b-instruct", upstreamBody().getString("model"));
    }

    /**
     * Payara decodes {@code %2F} before the servlet sees the path, which used to route
     * {@code .../org%2Ftext/v1/messages} silently to model {@code text} at path {@code .../org/}.
     * Here Tomcat is told to decode it the same way; the gateway must refuse it and show the form
     * that works everywhere.
     */
    @Test
    void anEncodedSlashIsRefusedWhateverTheContainerMadeOfIt() throws Exception {
        try (EmbeddedGateway decoding = EmbeddedGateway.start(0, "", Map.of(), Map.of(), context ->
                ((org.apache.catalina.Engine) context.getParent().getParent()).getService().findConnectors()[0]
                        .setEncodedSolidusHandling("decode"))) {
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(decoding.baseUrl()
                            + "/http/127.0.0.1:" + harness.upstream.port() + "/openai/v1/org%2Ftext/v1/messages"))
                    .header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(SIMPLE)).build();
            HttpResponse<String> response = GatewayHarness.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(400, response.statusCode(), response.body());
            JsonObject error = GatewayHarness.json(response.body()).getJsonObject("error");
            assertEquals("invalid_request_error", error.getString("type"));
            assertTrue(error.getString("message").contains("%2F") && error.getString("message").contains("/~/"),
                    error.getString("message"));
            assertEquals(0, harness.upstream.getAllServeEvents().size(), "nothing went upstream");
        }
    }

    @Test
    void clientKeyGoesUpstreamAsBearerAndAnthropicHeadersStayBehind() throws Exception {
        harness.post(harness.route("/openai/v1", "m") + "/v1/messages", SIMPLE,
                "x-api-key", "sk-from-x-api-key", "anthropic-version", "2023-06-01",
                "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14");
        harness.upstream.verify(postRequestedFor(urlEqualTo("/openai/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-from-x-api-key"))
                .withHeader("x-api-key", absent())
                .withHeader("anthropic-version", absent())
                .withHeader("anthropic-beta", absent()));
    }

    @Test
    void xApiKeyWinsOverBearerWhenBothAreSent() throws Exception {
        harness.post(harness.route("/openai/v1", "m") + "/v1/messages", SIMPLE,
                "x-api-key", "sk-winner", "Authorization", "Bearer sk-loser");
        harness.upstream.verify(postRequestedFor(urlEqualTo("/openai/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-winner")));
    }

    @Test
    void bearerTokenAloneIsForwarded() throws Exception {
        harness.post(harness.route("/openai/v1", "m") + "/v1/messages", SIMPLE, "Authorization", "Bearer sk-token");
        harness.upstream.verify(postRequestedFor(urlEqualTo("/openai/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-token")));
    }

    @Test
    void noClientKeyMeansNoAuthorizationUpstream() throws Exception {
        harness.post(harness.route("/openai/v1", "m") + "/v1/messages", SIMPLE);
        harness.upstream.verify(postRequestedFor(urlEqualTo("/openai/v1/chat/completions"))
                .withHeader("Authorization", absent()));
    }

    @Test
    void maxTokensIsCappedByTheGlobalLimit() throws Exception {
        harness.post(harness.route("/openai/v1", "m") + "/v1/messages", SIMPLE);
        assertEquals(32768, upstreamBody().getInt("max_tokens"));
    }

    @Test
    void maxTokensIsCappedByThePerHostLimit() throws Exception {
        harness.post("/http/localhost:" + harness.upstream.port() + "/openai/v1/m/v1/messages", SIMPLE);
        assertEquals(2048, upstreamBody().getInt("max_tokens"));
    }

    @Test
    void upstreamRefusingMaxTokensIsAskedOnceMoreWithinTheLimitItNames() throws Exception {
        harness.upstream.stubFor(post(urlEqualTo("/small/v1/chat/completions")).inScenario("limit")
                .whenScenarioStateIs(STARTED).willSetStateTo("retried")
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"max_tokens is too large: 32768. This model supports at most "
                                + "16384 completion tokens, whereas you provided 32768.\",\"type\":\"invalid_request_error\","
                                + "\"param\":\"max_tokens\",\"code\":\"invalid_value\"}}")));
        harness.upstream.stubFor(post(urlEqualTo("/small/v1/chat/completions")).inScenario("limit")
                .whenScenarioStateIs("retried").willReturn(okJson(COMPLETION)));
        HttpResponse<String> response = harness.post(harness.route("/small/v1", "some-model") + "/v1/messages", SIMPLE);
        assertEquals(200, response.statusCode(), response.body());
        List<LoggedRequest> sent = harness.upstream.findAll(postRequestedFor(urlEqualTo("/small/v1/chat/completions")));
        assertEquals(2, sent.size());
        assertEquals(32768, GatewayHarness.json(sent.get(0).getBodyAsString()).getInt("max_tokens"));
        assertEquals(16384, GatewayHarness.json(sent.get(1).getBodyAsString()).getInt("max_tokens"));
    }

    @Test
    void streamingRequestAsksForUsage() throws Exception {
        harness.post(harness.route("/openai/v1", "m") + "/v1/messages", SIMPLE.replace("{\"model\"", "{\"stream\":true,\"model\""));
        JsonObject sent = upstreamBody();
        assertTrue(sent.getBoolean("stream"));
        assertTrue(sent.getJsonObject("stream_options").getBoolean("include_usage"));
    }

    @Test
    void nonStreamingAnswerIsAFullAnthropicMessage() throws Exception {
        HttpResponse<String> response = harness.post(harness.route("/openai/v1", "m") + "/v1/messages", SIMPLE);
        assertEquals(200, response.statusCode());
        JsonObject message = GatewayHarness.json(response.body());
        assertTrue(message.getString("id").matches("msg_[A-Za-z0-9]{24}"));
        assertEquals("message", message.getString("type"));
        assertEquals("assistant", message.getString("role"));
        assertEquals("claude-sonnet-4-5", message.getString("model"));
        assertEquals("tool_use", message.getString("stop_reason"));
        assertTrue(message.isNull("stop_sequence"));
        assertEquals("Checking.", message.getJsonArray("content").getJsonObject(0).getString("text"));
        JsonObject toolUse = message.getJsonArray("content").getJsonObject(1);
        assertTrue(toolUse.getString("id").matches("toolu_[A-Za-z0-9]{24}"));
        assertEquals("Paris", toolUse.getJsonObject("input").getString("city"));
        JsonObject usage = message.getJsonObject("usage");
        assertEquals(412, usage.getInt("input_tokens"));
        assertEquals(2048, usage.getInt("cache_read_input_tokens"));
        assertEquals(57, usage.getInt("output_tokens"));
        assertEquals(0, usage.getInt("cache_creation_input_tokens"));
    }

    @Test
    void upstreamReusingCallIdsStillYieldsUniqueToolUseIds() throws Exception {
        String first = GatewayHarness.json(harness.post(harness.route("/openai/v1", "m") + "/v1/messages", SIMPLE).body())
                .getJsonArray("content").getJsonObject(1).getString("id");
        String second = GatewayHarness.json(harness.post(harness.route("/openai/v1", "m") + "/v1/messages", SIMPLE).body())
                .getJsonArray("content").getJsonObject(1).getString("id");
        assertFalse(first.equals(second), "Gemini's call_0 on every turn must not become the same tool_use id");
    }

    @Test
    void officialSdkReadsTheNonStreamingAnswer() {
        AnthropicClient client = GatewayHarness.sdk(harness.gateway.baseUrl() + harness.route("/openai/v1", "m"), "sk-sdk");
        try {
            Message message = client.messages().create(MessageCreateParams.builder().model("claude-sonnet-4-5")
                    .maxTokens(1000).addUserMessage("Weather?").build());
            assertEquals("get_weather", message.content().get(1).asToolUse().name());
            assertEquals(57, message.usage().outputTokens());
        } finally {
            client.close();
        }
        harness.upstream.verify(postRequestedFor(urlEqualTo("/openai/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-sdk")));
    }

    @Test
    void geminiModelGetsToolSchemasItAccepts() throws Exception {
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"tools\":[{\"name\":\"Bash\",\"input_schema\":{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
                + "\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"command\"],\"properties\":{"
                + "\"command\":{\"type\":\"string\",\"description\":\"cmd\"},"
                + "\"timeout\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":600000}}}}]}";
        harness.post(harness.route("/openai/v1", "gemini-2.5-flash") + "/v1/messages", body);
        JsonObject parameters = upstreamBody().getJsonArray("tools").getJsonObject(0)
                .getJsonObject("function").getJsonObject("parameters");
        assertFalse(parameters.toString().contains("$schema"), parameters.toString());
        assertFalse(parameters.toString().contains("additionalProperties"), parameters.toString());
        assertFalse(parameters.toString().contains("exclusiveMinimum"), parameters.toString());
        assertEquals("command", parameters.getJsonArray("required").getString(0));
        assertEquals("cmd", parameters.getJsonObject("properties").getJsonObject("command").getString("description"));
    }

    @Test
    void otherUpstreamsGetToolSchemasUnchanged() throws Exception {
        String schema = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
                + "\"additionalProperties\":false,\"properties\":{\"n\":{\"type\":\"integer\",\"exclusiveMinimum\":0}}}";
        String body = "{\"model\":\"c\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"tools\":[{\"name\":\"T\",\"input_schema\":" + schema + "}]}";
        harness.post(harness.route("/openai/v1", "gpt-4.1") + "/v1/messages", body);
        assertEquals(GatewayHarness.json(schema), upstreamBody().getJsonArray("tools").getJsonObject(0)
                .getJsonObject("function").getJsonObject("parameters"));
    }

    private static JsonObject upstreamBody() {
        List<LoggedRequest> sent = harness.upstream.findAll(postRequestedFor(urlEqualTo("/openai/v1/chat/completions")));
        assertEquals(1, sent.size());
        return GatewayHarness.json(sent.get(0).getBodyAsString());
    }
}
