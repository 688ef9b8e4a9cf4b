package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.claudeproxy.SseTranscript;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** stop_reason stop_sequence, with the sequence, when the upstream names a requested stop string it stopped on. */
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
