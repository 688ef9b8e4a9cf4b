package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.SseTranscript;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * stop_reason stop_sequence, with the sequence, when the upstream names a requested stop string it
 * stopped on; and where the upstream takes no {@code stop} (OpenAI's reasoning models), the gateway
 * cuts the answer at the sequence itself (issue 23, point 1: auto mode's classifier on gpt-5).
 */
class StopSequenceTest {

    private static GatewayHarness harness;

    @BeforeAll
    static void start() {
        harness = new GatewayHarness("", Map.of());
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    /** Auto mode's classifier as Claude Code sends it: no stream, one stop sequence, thinking off. */
    private static final String CLASSIFIER = "{\"model\":\"claude-sonnet-5\",\"max_tokens\":64,\"thinking\":{\"type\":\"disabled\"},"
            + "\"stop_sequences\":[\"</severity>\"],\"system\":\"You are a security monitor for autonomous AI coding agents.\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Respond with <severity>N</severity> ONLY.\"}]";

    private static String send(EmbeddedGateway gateway, String path, String body) throws Exception {
        return GatewayHarness.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.baseUrl() + path))
                .header("content-type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void anUpstreamThatTakesNoStopHasItsAnswerCutAtTheSequenceByTheGateway() throws Exception {
        String upstreamPath = "/gpt5/v1";
        harness.upstream.stubFor(post(urlEqualTo(upstreamPath + "/chat/completions"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.stream"))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"<severity>5</sev\"}}]}\n\n"
                                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"erity> and then more\"}}]}\n\n"
                                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9}}\n\ndata: [DONE]\n\n")));
        harness.upstream.stubFor(post(urlEqualTo(upstreamPath + "/chat/completions")).atPriority(10)
                .willReturn(okJson("{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"<severity>5</severity> and then more\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9}}")));
        String path = harness.route(upstreamPath, "gpt-5-mini") + "/v1/messages";
        // The stand-in upstream is OpenAI's API, whose reasoning models take no stop.
        try (EmbeddedGateway openAi = EmbeddedGateway.start("", Map.of("PROFILE_BY_HOST", "127.0.0.1=openai"))) {
            JsonObject message = GatewayHarness.json(send(openAi, path, CLASSIFIER + "}"));
            assertEquals("stop_sequence", message.getString("stop_reason"), message.toString());
            assertEquals("</severity>", message.getString("stop_sequence"));
            assertEquals("<severity>5", message.getJsonArray("content").getJsonObject(0).getString("text"));

            List<JsonObject> events = SseTranscript.events(send(openAi, path, CLASSIFIER + ",\"stream\":true}"));
            String text = events.stream().filter(event -> event.getString("type").equals("content_block_delta"))
                    .map(event -> event.getJsonObject("delta").getString("text")).reduce("", String::concat);
            assertEquals("<severity>5", text);
            JsonObject delta = events.get(events.size() - 2).getJsonObject("delta");
            assertEquals("stop_sequence", delta.getString("stop_reason"));
            assertEquals("</severity>", delta.getString("stop_sequence"));
            assertEquals("message_stop", events.get(events.size() - 1).getString("type"));
        }
        // The model takes no stop, and thinking turned off is its least reasoning.
        harness.upstream.verify(2, postRequestedFor(urlEqualTo(upstreamPath + "/chat/completions"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.reasoning_effort",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo("minimal")))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.notMatching(".*\"stop\".*")));
    }

    @ParameterizedTest(name = "{0}={1} -> {2} {3}")
    @CsvSource(nullValues = "null", value = {
        "stop_reason, '\"END\"', stop_sequence, END", // vLLM
        "matched_stop, '\"END\"', stop_sequence, END", // SGLang
        "stop_reason, 128001, end_turn, null", // vLLM names an EOS token id: not a stop sequence
        "stop_reason, '\"OTHER\"', end_turn, null", // not one the client asked for
        "none, null, end_turn, null"})
    void matchedStopSequenceIsReported(String field, String value, String stopReason, String stopSequence) throws Exception {
        String hint = field.equals("none") ? "" : ",\"" + field + "\":" + value;
        String body = "{\"model\":\"c\",\"max_tokens\":50,\"stop_sequences\":[\"END\",\"STOP\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]";
        String upstreamPath = "/" + field + "-" + stopReason + "-" + (value == null ? "x" : value.hashCode()) + "/v1";

        harness.upstream.stubFor(post(urlEqualTo(upstreamPath + "/chat/completions"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.stream"))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"1 2 3\"}}]}\n\n"
                                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"" + hint + "}],"
                                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3}}\n\ndata: [DONE]\n\n")));
        harness.upstream.stubFor(post(urlEqualTo(upstreamPath + "/chat/completions")).atPriority(10)
                .willReturn(okJson("{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\"" + hint + ",\"message\":"
                        + "{\"role\":\"assistant\",\"content\":\"1 2 3\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3}}")));
        String path = harness.route(upstreamPath, "m") + "/v1/messages";

        List<JsonObject> events = SseTranscript.events(harness.post(path, body + ",\"stream\":true}").body());
        JsonObject delta = events.get(events.size() - 2).getJsonObject("delta");
        assertEquals(stopReason, delta.getString("stop_reason"));
        assertEquals(stopSequence, delta.isNull("stop_sequence") ? null : delta.getString("stop_sequence"));

        JsonObject message = GatewayHarness.json(harness.post(path, body + "}").body());
        assertEquals(stopReason, message.getString("stop_reason"));
        assertEquals(stopSequence, message.isNull("stop_sequence") ? null : message.getString("stop_sequence"));
    }
}
