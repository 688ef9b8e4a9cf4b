package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.SseTranscript;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DeepSeek's reasoning travels to the client inside a signed thinking block and back to DeepSeek on
 * the next turn, through a second gateway instance sharing the secret (as behind a load balancer).
 */
class ThinkingRoundTripTest {

    private static final Map<String, String> SHARED = Map.of("THINKING_SIGNATURE_SECRET", "a-shared-cluster-secret-0123");

    @Test
    void reasoningComesBackToDeepSeekThroughAnotherGatewayInstance() throws Exception {
        try (GatewayHarness first = new GatewayHarness("", SHARED);
             EmbeddedGateway second = EmbeddedGateway.start("", SHARED)) {
            first.upstream.stubFor(post(urlEqualTo("/chat/completions")).willReturn(aResponse()
                    .withHeader("Content-Type", "text/event-stream").withBody(GatewayHarness.fixture("deepseek-reasoning-tool"))));
            String route = first.route("", "deepseek-chat") + "/v1/messages";
            String ask = "{\"role\":\"user\",\"content\":\"Weather in Paris?\"}";
            List<JsonObject> events = SseTranscript.events(first.post(route,
                    "{\"model\":\"claude-x\",\"max_tokens\":100,\"stream\":true,\"messages\":[" + ask + "]}").body());
            String thinking = events.get(2).getJsonObject("delta").getString("thinking");
            String signature = events.get(3).getJsonObject("delta").getString("signature");
            String toolUseId = events.get(5).getJsonObject("content_block").getString("id");

            String assistant = Json.createObjectBuilder().add("role", "assistant").add("content", Json.createArrayBuilder()
                    .add(Json.createObjectBuilder().add("type", "thinking").add("thinking", thinking).add("signature", signature))
                    .add(Json.createObjectBuilder().add("type", "tool_use").add("id", toolUseId).add("name", "get_weather")
                            .add("input", Json.createObjectBuilder().add("city", "Paris")))).build().toString();
            String result = "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"" + toolUseId
                    + "\",\"content\":\"18C\"}]}";
            first.upstream.resetRequests();
            var secondRoute = java.net.URI.create(second.baseUrl() + route);
            GatewayHarness.HTTP.send(java.net.http.HttpRequest.newBuilder(secondRoute).header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-x\",\"max_tokens\":100,"
                            + "\"stream\":true,\"messages\":[" + ask + "," + assistant + "," + result + "]}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());

            JsonObject sent = GatewayHarness.json(first.upstream.findAll(postRequestedFor(urlEqualTo("/chat/completions")))
                    .get(0).getBodyAsString());
            JsonObject replayedTurn = sent.getJsonArray("messages").getJsonObject(1);
            assertEquals("Need the weather tool.", replayedTurn.getString("reasoning_content"));
            assertEquals(toolUseId, replayedTurn.getJsonArray("tool_calls").getJsonObject(0).getString("id"));
        }
    }
}
