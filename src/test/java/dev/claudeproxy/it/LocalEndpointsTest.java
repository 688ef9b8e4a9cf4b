package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.models.ModelInfo;
import dev.claudeproxy.SseTranscript;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** count_tokens and models are answered locally, under every route form, and never with 404 for count_tokens. */
class LocalEndpointsTest {

    private static GatewayHarness harness;

    @BeforeAll
    static void start() {
        harness = new GatewayHarness("/claude-proxy", Map.of("HAIKU_BASE_URL", "http://127.0.0.1:9/v1",
                "HAIKU_MODEL_NAME", "llama-3.1-8b-instant", "CONTEXT_WINDOWS", "127.0.0.1:9=131072,127.0.0.1/m=64k"));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void countTokensCountsWithTheTokenizer() throws Exception {
        // o200k: "hello world" is 2 tokens, plus 4 for the message's framing.
        assertEquals(6, count(harness.route("/v1", "gpt-4.1") + "/v1/messages/count_tokens?beta=true",
                "{\"model\":\"claude-x\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]}"));
    }

    @Test
    void countTokensGrowsWithSystemToolsImagesAndText() throws Exception {
        String path = harness.route("/v1", "m") + "/v1/messages/count_tokens";
        String user = "{\"role\":\"user\",\"content\":\"hello world\"}";
        int base = count(path, "{\"model\":\"c\",\"messages\":[" + user + "]}");
        int withSystem = count(path, "{\"model\":\"c\",\"system\":\"You are terse.\",\"messages\":[" + user + "]}");
        int withTool = count(path, "{\"model\":\"c\",\"messages\":[" + user + "],\"tools\":[{\"name\":\"get_weather\","
                + "\"description\":\"Weather for a city\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}]}");
        int withImage = count(path, "{\"model\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello world\"},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBOR\"}}]}]}");
        int longer = count(path, "{\"model\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "hello world ".repeat(100) + "\"}]}");
        assertTrue(withSystem > base, withSystem + " > " + base);
        assertTrue(withTool > base + 10, withTool + " > " + base);
        assertEquals(base + 1600, withImage);
        assertTrue(longer > base + 150, longer + " > " + base);
    }

    @Test
    void countTokensAnswersWithoutAnyRouteToo() throws Exception {
        assertTrue(count("/v1/messages/count_tokens", "{\"model\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}") > 0);
    }

    @Test
    void countTokensRejectsAnInvalidBodyWith400() throws Exception {
        HttpResponse<String> response = harness.post("/v1/messages/count_tokens", "{\"model\":\"c\"}");
        assertEquals(400, response.statusCode());
        assertEquals("invalid_request_error", GatewayHarness.json(response.body()).getJsonObject("error").getString("type"));
    }

    @Test
    void officialSdkCountsTokensThroughTheGateway() {
        AnthropicClient client = GatewayHarness.sdk(harness.gateway.baseUrl() + harness.route("/v1", "gpt-4.1"), "sk");
        try {
            long tokens = client.messages().countTokens(MessageCountTokensParams.builder().model("claude-sonnet-4-5")
                    .addUserMessage("hello world").build()).inputTokens();
            assertEquals(6, tokens);
        } finally {
            client.close();
        }
    }

    @Test
    void modelsListsThePathModelAndTheHaikuRouteUnderClaudeIds() throws Exception {
        JsonObject list = getJson(harness.route("/v1", "meta-llama/llama-3.3-70b").replace("/meta-llama/", "/~/meta-llama/")
                + "/v1/models?limit=1000");
        assertEquals(List.of("claude-meta-llama--llama-3.3-70b", "claude-haiku-llama-3.1-8b-instant"),
                list.getJsonArray("data").stream().map(model -> model.asJsonObject().getString("id")).toList());
        assertFalse(list.getBoolean("has_more"));
        assertEquals("claude-meta-llama--llama-3.3-70b", list.getString("first_id"));
        assertEquals("model", list.getJsonArray("data").getJsonObject(0).getString("type"));
    }

    @Test
    void modelsSayEachContextWindowAsMaxInputTokensAndUnknownAsNull() throws Exception {
        JsonObject list = getJson(harness.route("/v1", "unknown-model") + "/v1/models");
        JsonObject unknown = list.getJsonArray("data").getJsonObject(0);
        assertEquals("claude-unknown-model", unknown.getString("id"));
        assertTrue(unknown.containsKey("max_input_tokens") && unknown.isNull("max_input_tokens"), unknown.toString());
        JsonObject haiku = list.getJsonArray("data").getJsonObject(1);
        assertEquals(131072, haiku.getInt("max_input_tokens"), "the setting for the Haiku route's host and port");
        assertEquals(64000, getJson(harness.route("/v1", "m") + "/v1/models/claude-m").getInt("max_input_tokens"),
                "the setting for the path's host and model, whatever the port");
    }

    @Test
    void officialSdkReadsTheWindowsAndValidatesTheModels() {
        AnthropicClient client = GatewayHarness.sdk(harness.gateway.baseUrl() + harness.route("/v1", "m"), "sk");
        try {
            ModelInfo model = client.models().retrieve("claude-m").validate();
            assertEquals(java.util.Optional.of(64000L), model.maxInputTokens());
            List<ModelInfo> models = client.models().list().data();
            models.forEach(ModelInfo::validate);
            assertEquals(List.of(java.util.Optional.of(64000L), java.util.Optional.of(131072L)),
                    models.stream().map(ModelInfo::maxInputTokens).toList());
            AnthropicClient unknown = GatewayHarness.sdk(harness.gateway.baseUrl() + harness.route("/v1", "other"), "sk");
            try {
                assertEquals(java.util.Optional.empty(), unknown.models().retrieve("claude-other").validate().maxInputTokens());
            } finally {
                unknown.close();
            }
        } finally {
            client.close();
        }
    }

    @Test
    void modelsPagesWithLimitAndAfterId() throws Exception {
        JsonObject first = getJson(harness.route("/v1", "m") + "/v1/models?limit=1");
        assertEquals(1, first.getJsonArray("data").size());
        assertTrue(first.getBoolean("has_more"));
        JsonObject second = getJson(harness.route("/v1", "m") + "/v1/models?limit=1&after_id=" + first.getString("last_id"));
        assertEquals("claude-haiku-llama-3.1-8b-instant", second.getString("first_id"));
        assertFalse(second.getBoolean("has_more"));
    }

    @Test
    void oneModelByIdAndUnknownIdIs404() throws Exception {
        assertEquals("claude-m", getJson(harness.route("/v1", "m") + "/v1/models/claude-m").getString("id"));
        HttpResponse<String> missing = get(harness.route("/v1", "m") + "/v1/models/claude-other");
        assertEquals(404, missing.statusCode());
        assertEquals("not_found_error", GatewayHarness.json(missing.body()).getJsonObject("error").getString("type"));
    }

    @Test
    void usageIsEstimatedWithTheTokenizerWhenTheUpstreamReportsNone() throws Exception {
        harness.upstream.stubFor(post(urlEqualTo("/nousage/v1/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream")
                .withBody("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hello world\"}}]}\n\n"
                        + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")));
        HttpResponse<String> response = harness.post(harness.route("/nousage/v1", "gpt-4.1") + "/v1/messages",
                "{\"model\":\"c\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]}");
        assertEquals("message_delta end_turn in=6 out=2 cache_read=0", SseTranscript.lines(response.body()).get(4));
    }

    private static int count(String path, String body) throws Exception {
        HttpResponse<String> response = harness.post(path, body);
        assertEquals(200, response.statusCode(), response.body());
        return GatewayHarness.json(response.body()).getInt("input_tokens");
    }

    private static JsonObject getJson(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertEquals(200, response.statusCode(), response.body());
        return GatewayHarness.json(response.body());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(harness.gateway.baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
