package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.SseTranscript;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Gemini 3's per-call thought signatures go out inside the tool-use ids and come back on the calls. */
class GeminiThoughtSignatureTest {

    private static GatewayHarness harness;

    @BeforeAll
    static void start() throws Exception {
        harness = new GatewayHarness("", Map.of());
        harness.upstream.stubFor(post(urlEqualTo("/v1beta/openai/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream").withBody(GatewayHarness.fixture("gemini-parallel-tools"))));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void signaturesComeBackOnTheirCallsWithBareIds() throws Exception {
        String route = harness.route("/v1beta/openai", "gemini-3.8-flash") + "/v1/messages";
        String ask = "{\"role\":\"user\",\"content\":\"Weather in Paris and Rome?\"}";
        List<JsonObject> events = SseTranscript.events(harness.post(route,
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,\"messages\":[" + ask + "]}").body());
        List<String> ids = events.stream().filter(event -> event.getString("type").equals("content_block_start")
                        && event.getJsonObject("content_block").getString("type").equals("tool_use"))
                .map(event -> event.getJsonObject("content_block").getString("id")).toList();
        assertEquals(2, ids.size());

        harness.upstream.resetRequests();
        String calls = ids.stream().map(id -> "{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":\"get_weather\",\"input\":{}}")
                .reduce((a, b) -> a + "," + b).orElseThrow();
        String results = ids.stream().map(id -> "{\"type\":\"tool_result\",\"tool_use_id\":\"" + id + "\",\"content\":\"18C\"}")
                .reduce((a, b) -> a + "," + b).orElseThrow();
        harness.post(route, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,\"messages\":[" + ask
                + ",{\"role\":\"assistant\",\"content\":[" + calls + "]},{\"role\":\"user\",\"content\":[" + results + "]}]}");

        JsonArray messages = sent().getJsonArray("messages");
        JsonArray toolCalls = messages.getJsonObject(1).getJsonArray("tool_calls");
        assertEquals("EjQKMgEMOdbH", signature(toolCalls.getJsonObject(0)));
        assertEquals("Fk9LpQ2", signature(toolCalls.getJsonObject(1)));
        String bare = toolCalls.getJsonObject(0).getString("id");
        assertTrue(bare.matches("toolu_[A-Za-z0-9]{24}"), bare);
        assertEquals(bare, messages.getJsonObject(2).getString("tool_call_id"));
    }

    @Test
    void callsWithoutSignatureGetTheBypassOnTheFirstCallOfTheTurn() throws Exception {
        harness.upstream.resetRequests();
        harness.post(harness.route("/v1beta/openai", "gemini-3.8-flash") + "/v1/messages",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"x\"},"
                        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_a\",\"name\":\"T\",\"input\":{}},"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_b\",\"name\":\"T\",\"input\":{}}]},{\"role\":\"user\",\"content\":["
                        + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_a\",\"content\":\"a\"},"
                        + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_b\",\"content\":\"b\"}]}]}");
        JsonArray toolCalls = sent().getJsonArray("messages").getJsonObject(1).getJsonArray("tool_calls");
        assertEquals("skip_thought_signature_validator", signature(toolCalls.getJsonObject(0)));
        assertFalse(toolCalls.getJsonObject(1).containsKey("extra_content"));
    }

    private static String signature(JsonObject call) {
        return call.getJsonObject("extra_content").getJsonObject("google").getString("thought_signature");
    }

    private static JsonObject sent() {
        return GatewayHarness.json(harness.upstream.findAll(postRequestedFor(urlEqualTo("/v1beta/openai/chat/completions")))
                .get(0).getBodyAsString());
    }
}
