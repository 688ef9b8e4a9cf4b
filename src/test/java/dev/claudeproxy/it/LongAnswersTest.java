package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.SseTranscript;
import dev.claudeproxy.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Long answers are ordinary traffic (Claude Code writes whole files as tool arguments), and arrive
 * whole with the default settings, whatever the shapes of the upstream's answer and the client's
 * request (issue 12, point 1: a successful answer used to be read like an error page, to 64 KiB).
 */
class LongAnswersTest {

    private static final String REQUEST = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":%s,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"write it\"}]}";
    /** 1 MB of text. */
    private static final String TEXT = "line of a long file\n".repeat(52_429);
    /** 300 KB of a file to write. */
    private static final String FILE = "0123456789abcdef\n\"quoted\"\t\u00e9\n".repeat(10_000);

    private static EmbeddedGateway gateway;

    @BeforeAll
    static void start() {
        // The stand-in plays OpenRouter, whose error texts are relayed.
        gateway = EmbeddedGateway.start("", Map.of("PROFILE_BY_HOST", "127.0.0.1=openrouter"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @ParameterizedTest(name = "upstream streams: {0}, client streams: {1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void aOneMegabyteAnswerArrivesWhole(boolean upstreamStreams, boolean clientStreams) throws Exception {
        String answer = upstreamStreams
                ? event("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}")
                        + pieces(TEXT, 1000, piece -> event("{\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                                + Json.write(piece) + "}}]}")) + finish("stop")
                : "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":"
                        + Json.write(TEXT) + "}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9}}";
        JsonObject message = exchange(answer, upstreamStreams, clientStreams);
        assertEquals("end_turn", message.getString("stop_reason"));
        assertEquals(TEXT, message.getJsonArray("content").getJsonObject(0).getString("text"));
    }

    @ParameterizedTest(name = "upstream streams: {0}, client streams: {1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void aThreeHundredKilobyteToolCallArrivesWhole(boolean upstreamStreams, boolean clientStreams) throws Exception {
        String arguments = "{\"file_path\":\"/src/big.txt\",\"content\":" + Json.write(FILE) + "}";
        String answer = upstreamStreams
                ? event("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,"
                        + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"Write\",\"arguments\":\"\"}}]}}]}")
                        + pieces(arguments, 700, piece -> event("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
                                + "[{\"index\":0,\"function\":{\"arguments\":" + Json.write(piece) + "}}]}}]}"))
                        + finish("tool_calls")
                : "{\"choices\":[{\"index\":0,\"finish_reason\":\"tool_calls\",\"message\":{\"role\":\"assistant\","
                        + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"Write\","
                        + "\"arguments\":" + Json.write(arguments) + "}}]}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9}}";
        JsonObject message = exchange(answer, upstreamStreams, clientStreams);
        assertEquals("tool_use", message.getString("stop_reason"));
        JsonObject toolUse = message.getJsonArray("content").getJsonObject(0);
        assertEquals("Write", toolUse.getString("name"));
        assertEquals(FILE, toolUse.getJsonObject("input").getString("content"));
    }

    /** A request that asked for no stream, answered with one that fails midway: an error, never the part before it. */
    @Test
    void aStreamThatFailsMidwayIsAnErrorForAClientThatAskedForJson() throws Exception {
        String failing = new String(LongAnswersTest.class.getResourceAsStream("/streams/openrouter-error-midstream.sse")
                .readAllBytes(), StandardCharsets.UTF_8);
        try (TestUpstream upstream = new TestUpstream(answer -> answer.head(200, "text/event-stream").write(failing))) {
            HttpResponse<String> response = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                            URI.create(gateway.baseUrl() + upstream.route("m") + "/v1/messages"))
                    .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(String.format(REQUEST, false))).build(),
                    HttpResponse.BodyHandlers.ofString());
            HostileInputTest.assertAnthropicError(response, 502, "api_error");
            assertTrue(response.body().contains("Provider disconnected"), response.body());
        }
    }

    /** The answer as one Anthropic message, read from the JSON answer or accumulated from the stream. */
    private static JsonObject exchange(String upstreamAnswer, boolean upstreamStreams, boolean clientStreams) throws Exception {
        try (TestUpstream upstream = new TestUpstream(answer -> answer.head(200,
                upstreamStreams ? "text/event-stream" : "application/json").write(upstreamAnswer))) {
            HttpResponse<String> response = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                            URI.create(gateway.baseUrl() + upstream.route("m") + "/v1/messages"))
                    .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(String.format(REQUEST, clientStreams))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body().substring(0, Math.min(300, response.body().length())));
            return clientStreams ? accumulate(SseTranscript.events(response.body())) : GatewayHarness.json(response.body());
        }
    }

    /** The events of a stream as the message they make: text joined, tool input parsed at its block's stop. */
    private static JsonObject accumulate(List<JsonObject> events) {
        var content = jakarta.json.Json.createArrayBuilder();
        StringBuilder text = new StringBuilder();
        StringBuilder input = new StringBuilder();
        JsonObject block = null;
        String stopReason = null;
        for (JsonObject event : events) {
            switch (event.getString("type")) {
                case "content_block_start" -> {
                    block = event.getJsonObject("content_block");
                    text.setLength(0);
                    input.setLength(0);
                }
                case "content_block_delta" -> {
                    JsonObject delta = event.getJsonObject("delta");
                    if (delta.getString("type").equals("text_delta")) {
                        text.append(delta.getString("text"));
                    } else if (delta.getString("type").equals("input_json_delta")) {
                        input.append(delta.getString("partial_json"));
                    }
                }
                case "content_block_stop" -> content.add(block.getString("type").equals("text")
                        ? jakarta.json.Json.createObjectBuilder(block).add("text", text.toString())
                        : jakarta.json.Json.createObjectBuilder(block).add("input",
                                jakarta.json.Json.createReader(new StringReader(input.toString())).readObject()));
                case "message_delta" -> stopReason = event.getJsonObject("delta").getString("stop_reason");
                default -> {
                    // message_start, ping, message_stop
                }
            }
        }
        return jakarta.json.Json.createObjectBuilder().add("content", content).add("stop_reason", stopReason).build();
    }

    private static String pieces(String text, int size, Function<String, String> each) {
        StringBuilder out = new StringBuilder();
        for (int at = 0; at < text.length(); at += size) {
            out.append(each.apply(text.substring(at, Math.min(text.length(), at + size))));
        }
        return out.toString();
    }

    private static String event(String json) {
        return "data: " + json + "\n\n";
    }

    private static String finish(String reason) {
        return event("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + reason + "\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9}}") + "data: [DONE]\n\n";
    }
}
