package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.claudeproxy.EmbeddedGateway;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/** A WireMock upstream and the gateway on embedded Tomcat, for one test class. */
final class GatewayHarness implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    final WireMockServer upstream;
    final EmbeddedGateway gateway;

    GatewayHarness(String contextPath, Map<String, String> contextParams) {
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
        gateway = EmbeddedGateway.start(contextPath, contextParams);
    }

    /** The gateway route prefix for the WireMock upstream under {@code upstreamPath} with {@code model}. */
    String route(String upstreamPath, String model) {
        return "/http/127.0.0.1:" + upstream.port() + upstreamPath + "/" + model;
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A recorded-shape upstream stream from src/test/resources/streams. */
    static byte[] fixture(String name) {
        try (java.io.InputStream in = GatewayHarness.class.getResourceAsStream("/streams/" + name + ".sse")) {
            return in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("no stream fixture " + name, e);
        }
    }

    /** The official Anthropic SDK pointed at a gateway route, without retries (a test sees the first answer). */
    static com.anthropic.client.AnthropicClient sdk(String baseUrl, String key) {
        return com.anthropic.client.okhttp.AnthropicOkHttpClient.builder().baseUrl(baseUrl).apiKey(key).maxRetries(0).build();
    }

    /**
     * "Weather in Paris?" streamed through the official SDK from {@code baseUrl} and accumulated by
     * its strict accumulator, which throws on any event out of place.
     */
    static com.anthropic.models.messages.Message sdkStreamed(String baseUrl) {
        com.anthropic.client.AnthropicClient client = sdk(baseUrl, "sk-test");
        try {
            com.anthropic.helpers.MessageAccumulator accumulator = com.anthropic.helpers.MessageAccumulator.create();
            try (com.anthropic.core.http.StreamResponse<com.anthropic.models.messages.RawMessageStreamEvent> stream =
                         client.messages().createStreaming(com.anthropic.models.messages.MessageCreateParams.builder()
                                 .model("claude-sonnet-4-5").maxTokens(1024).addUserMessage("Weather in Paris?").build())) {
                stream.stream().forEach(accumulator::accumulate);
            }
            return accumulator.message();
        } finally {
            client.close();
        }
    }

    /**
     * What the official SDK makes of a stream agrees with the stream's transcript
     * ({@link dev.claudeproxy.SseTranscript#lines}): an error event is the SDK's error, of its type;
     * else the accumulated message has the transcript's blocks, in order, its stop reason and
     * {@code message_delta}'s real figures (not {@code message_start}'s estimate), and gateway-made
     * tool ids.
     */
    static void assertSdkAccumulates(java.util.function.Supplier<com.anthropic.models.messages.Message> streamed,
                                     String fixture, List<String> expected) {
        String last = expected.get(expected.size() - 1);
        if (last.startsWith("error ")) {
            com.anthropic.errors.SseException error = org.junit.jupiter.api.Assertions.assertThrows(
                    com.anthropic.errors.SseException.class, streamed::get, "the SDK surfaces the error event");
            org.junit.jupiter.api.Assertions.assertTrue(error.body().toString().contains(last.substring("error ".length())),
                    error.body().toString());
            return;
        }
        com.anthropic.models.messages.Message message = streamed.get();
        String[] end = expected.get(expected.size() - 2).split(" ");
        org.junit.jupiter.api.Assertions.assertEquals(end[1], message.stopReason().orElseThrow().asString(), fixture);
        org.junit.jupiter.api.Assertions.assertEquals(Long.parseLong(end[2].substring("in=".length())),
                message.usage().inputTokens(), fixture);
        org.junit.jupiter.api.Assertions.assertEquals(Long.parseLong(end[3].substring("out=".length())),
                message.usage().outputTokens(), fixture);
        org.junit.jupiter.api.Assertions.assertEquals(Long.parseLong(end[4].substring("cache_read=".length())),
                message.usage().cacheReadInputTokens().orElse(0L), fixture);
        List<String> expectedKinds = expected.stream().filter(line -> line.startsWith("start "))
                .map(line -> line.split(" ")[2]).toList();
        List<String> kinds = message.content().stream()
                .map(block -> block.isText() ? "text" : block.isToolUse() ? "tool_use" : block.isThinking() ? "thinking"
                        : block.isServerToolUse() ? "server_tool_use" : block.isWebSearchToolResult() ? "web_search_tool_result"
                        : "other")
                .toList();
        org.junit.jupiter.api.Assertions.assertEquals(expectedKinds, kinds, fixture);
        for (com.anthropic.models.messages.ContentBlock block : message.content()) {
            if (block.isToolUse()) {
                // Gemini's thought signature, when there is one, rides in the id after "__gts_".
                org.junit.jupiter.api.Assertions.assertTrue(
                        block.asToolUse().id().matches("toolu_[A-Za-z0-9]{24}(__gts_[A-Za-z0-9_-]+)?"), block.asToolUse().id());
            }
        }
    }

    /** The body of an answer that must be a 200 event stream. */
    static String eventStream(java.net.http.HttpResponse<String> response) {
        org.junit.jupiter.api.Assertions.assertEquals(200, response.statusCode(), response.body());
        org.junit.jupiter.api.Assertions.assertTrue(response.headers().firstValue("content-type").orElse("")
                .startsWith("text/event-stream"), response.headers().toString());
        return response.body();
    }

    static JsonObject json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    @Override
    public void close() {
        gateway.close();
        upstream.stop();
    }
}
