package dev.claudeproxy.it;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import dev.claudeproxy.json.Json;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.models.messages.Message;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.SseTranscript;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recorded-shape upstream streams (src/test/resources/streams) replayed by WireMock, dribbled in
 * small TCP pieces, through the WAR on embedded Tomcat; the output is checked event by event by a
 * raw HTTP client and consumed by the official Anthropic Java SDK's strict accumulator.
 */
class StreamFixturesTest {

    private static final String BODY = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]}";

    private static WireMockServer upstream;
    private static EmbeddedGateway gateway;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
        gateway = EmbeddedGateway.start("", Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.stop();
    }

    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of("openai-text", List.of(
                        "message_start", "start 0 text", "delta 0 text Hel", "delta 0 text lo", "stop 0",
                        "message_delta end_turn in=6 out=2 cache_read=4", "message_stop")),
                Arguments.of("openai-tool-fragments", List.of(
                        "message_start", "start 0 tool_use get_weather", "delta 0 json {\"location\":\"Paris\"}", "stop 0",
                        "message_delta tool_use in=80 out=17 cache_read=0", "message_stop")),
                Arguments.of("gemini-parallel-tools", List.of(
                        "message_start", "start 0 text", "delta 0 text Checking both.", "stop 0",
                        "start 1 tool_use get_weather", "delta 1 json {\"city\":\"Paris\"}", "stop 1",
                        "start 2 tool_use get_weather", "delta 2 json {\"city\":\"Rome\"}", "stop 2",
                        "message_delta tool_use in=120 out=31 cache_read=0", "message_stop")),
                Arguments.of("groq-tool", List.of(
                        "message_start", "start 0 tool_use list_files", "delta 0 json {}", "stop 0",
                        "message_delta tool_use in=210 out=12 cache_read=0", "message_stop")),
                Arguments.of("ollama-tool", List.of(
                        "message_start", "start 0 tool_use read_file", "delta 0 json {\"path\":\"README.md\"}", "stop 0",
                        "message_delta tool_use in=150 out=20 cache_read=0", "message_stop")),
                Arguments.of("deepseek-reasoning-tool", List.of(
                        "message_start", "start 0 thinking", "delta 0 thinking Need the weather tool.", "delta 0 signature",
                        "stop 0", "start 1 tool_use get_weather", "delta 1 json {\"city\":\"Paris\"}", "stop 1",
                        "message_delta tool_use in=19 out=83 cache_read=320", "message_stop")),
                Arguments.of("mistral-tool", List.of(
                        "message_start", "start 0 tool_use weather", "delta 0 json {\"location\":\"San Francisco\"}",
                        "stop 0", "message_delta tool_use in=124 out=22 cache_read=0", "message_stop")),
                Arguments.of("text-then-two-tools", List.of(
                        "message_start", "start 0 text", "delta 0 text Let me look.", "stop 0",
                        "start 1 tool_use Read", "delta 1 json {\"file_path\":\"/a.txt\"}", "stop 1",
                        "start 2 tool_use Bash", "delta 2 json {\"command\":\"ls\"}", "stop 2",
                        "message_delta tool_use in=50 out=30 cache_read=0", "message_stop")),
                Arguments.of("length-cut-tool", List.of(
                        "message_start", "start 0 tool_use Write",
                        "delta 0 json partial {\"content\": \"partial te", "stop 0",
                        "message_delta max_tokens in=5 out=9 cache_read=0", "message_stop")),
                Arguments.of("ends-without-done", List.of(
                        "message_start", "start 0 text", "delta 0 text Hi", "stop 0",
                        "message_delta end_turn in=3 out=1 cache_read=0", "message_stop")),
                Arguments.of("openrouter-reasoning", List.of(
                        "message_start", "start 0 thinking", "delta 0 thinking The user wants ", "delta 0 thinking a greeting.",
                        "delta 0 signature", "stop 0", "start 1 text", "delta 1 text Hello!", "stop 1",
                        "message_delta end_turn in=12 out=9 cache_read=0", "message_stop")),
                Arguments.of("vllm-think-tags", List.of(
                        "message_start", "start 0 thinking", "delta 0 thinking \nShort answer", "delta 0 thinking .",
                        "delta 0 signature", "stop 0", "start 1 text", "delta 1 text Hi", "delta 1 text  there", "stop 1",
                        "message_delta end_turn in=20 out=10 cache_read=0", "message_stop")),
                // Failures after the first byte: an error event, and no message_stop after it.
                Arguments.of("openrouter-error-midstream", List.of(
                        "message_start", "start 0 text", "delta 0 text Partial", "error api_error")),
                Arguments.of("cut-off", List.of(
                        "message_start", "start 0 text", "delta 0 text Half an ans", "error api_error")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void recordedStreamBecomesExactAnthropicEventSequence(String fixture, List<String> expected) throws Exception {
        String route = stub(fixture);
        assertEquals(expected, SseTranscript.lines(postRaw(route)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void officialSdkAccumulatesEveryRecordedStream(String fixture, List<String> expected) {
        String route = stub(fixture);
        GatewayHarness.assertSdkAccumulates(() -> sdkStream(route), fixture, expected);
    }

    /**
     * A client that reads input tokens only from {@code message_start} (LangChain's
     * {@code ChatAnthropic.stream}) gets the gateway's estimate: the figure count_tokens gives for
     * the same request. {@code message_delta} carries the upstream's real figures.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void messageStartCarriesTheInputEstimateAndMessageDeltaTheRealFigures(String fixture, List<String> expected)
            throws Exception {
        String route = stub(fixture);
        String body = postRaw(route);
        List<JsonObject> events = SseTranscript.events(body);
        JsonObject startUsage = events.get(0).getJsonObject("message").getJsonObject("usage");
        int estimate = startUsage.getInt("input_tokens");
        assertEquals(countTokens(route), estimate);
        assertTrue(estimate > 0, "estimate " + estimate);
        assertEquals(0, startUsage.getInt("cache_read_input_tokens"));
        assertEquals(0, startUsage.getInt("cache_creation_input_tokens"));
        assertEquals(0, startUsage.getInt("output_tokens"));
        JsonObject last = events.get(events.size() - 1);
        if (last.getString("type").equals("message_stop")) {
            JsonObject delta = events.get(events.size() - 2);
            assertEquals(expected.get(expected.size() - 2), SseTranscript.lines(body).get(expected.size() - 2));
            assertTrue(delta.getJsonObject("usage").containsKey("input_tokens"),
                    "every real figure is sent, so an accumulator replaces the estimate");
        }
    }

    private static int countTokens(String route) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + route
                        + "/v1/messages/count_tokens"))
                .header("content-type", "application/json")
                .header("x-api-key", "sk-test")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        try (JsonReader reader = Json.JSON_P.createReader(new StringReader(response.body()))) {
            return reader.readObject().getInt("input_tokens");
        }
    }

    @Test
    void noisyUpstreamFramingConvertsLikeCleanFraming() throws Exception {
        String noisy = ": OPENROUTER PROCESSING\r\n\r\n"
                + "data:{\"id\":\"n\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":null}}]}\r\n\r\n"
                + "data:\r\n\r\n"
                + "data: {\"id\":\"n\",\"choices\":[]}\r\n\r\n"
                + "data: {\"id\":\"n\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\",\"role\":null,\"tool_calls\":null},\"finish_reason\":null}]}\r\n\r\n"
                + ": ping\r\n"
                + "data: {\"id\":\"n\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo \uD83C\uDF0D\"},\"finish_reason\":null}]}\r\n\r\n"
                + "data: {\"id\":\"n\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n\r\n"
                + "data: {\"id\":\"n\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":4}}}\r\n\r\n"
                + "data: [DONE]\r\n\r\n";
        upstream.stubFor(post(urlEqualTo("/noisy/v1/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream")
                .withBody(noisy.getBytes(StandardCharsets.UTF_8))
                .withChunkedDribbleDelay(97, 200)));
        String route = "/http/127.0.0.1:" + upstream.port() + "/noisy/v1/some-model";
        assertEquals(List.of("message_start", "start 0 text", "delta 0 text Hel", "delta 0 text lo \uD83C\uDF0D",
                        "stop 0", "message_delta end_turn in=6 out=2 cache_read=4", "message_stop"),
                SseTranscript.lines(postRaw(route)));
    }

    /** Stubs the fixture under its own upstream path and returns the gateway route prefix that reaches it. */
    private static String stub(String fixture) {
        upstream.stubFor(post(urlEqualTo("/" + fixture + "/v1/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream")
                .withBody(GatewayHarness.fixture(fixture))
                .withChunkedDribbleDelay(13, 100)));
        return "/http/127.0.0.1:" + upstream.port() + "/" + fixture + "/v1/test-model";
    }

    private static String postRaw(String route) throws Exception {
        return GatewayHarness.eventStream(HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + route
                        + "/v1/messages?beta=true"))
                .header("content-type", "application/json")
                .header("x-api-key", "sk-test")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static Message sdkStream(String route) {
        return GatewayHarness.sdkStreamed(gateway.baseUrl() + route);
    }
}
