package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.claudeproxy.SseTranscript;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request Claude Code 2.1 was recorded sending (src/test/resources/captures, redacted) is
 * replayed through the gateway with its own headers and body: each must be accepted, streamed back,
 * and reach the upstream as a clean Chat Completions request.
 */
class ClaudeCodeCapturesTest {

    private static final Set<String> NEVER_UPSTREAM = Set.of("cache_control", "thinking", "output_config",
            "context_management", "metadata", "safeguards", "defer_loading", "eager_input_streaming", "top_k");
    private static final Set<String> RESTRICTED_HEADERS = Set.of("host", "connection", "content-length",
            "accept-encoding", "expect", "upgrade");
    private static GatewayHarness harness;

    @BeforeAll
    static void start() throws Exception {
        harness = new GatewayHarness("", Map.of());
        harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream").withBody(GatewayHarness.fixture("openai-text"))));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    static Stream<Arguments> capturedRequests() throws Exception {
        List<Arguments> requests = new ArrayList<>();
        for (String file : List.of("cli-interactive-first-turn", "cli-print-model-haiku-and-auth-token",
                "cli-print-tool-roundtrip")) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                    ClaudeCodeCapturesTest.class.getResourceAsStream("/captures/" + file + ".jsonl"), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    JsonObject captured = GatewayHarness.json(line);
                    requests.add(Arguments.of(file + " #" + captured.getInt("seq") + " " + captured.getString("method"), captured));
                }
            }
        }
        return requests.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("capturedRequests")
    void capturedRequestIsAcceptedAndForwardedClean(String name, JsonObject captured) throws Exception {
        harness.upstream.resetRequests();
        String url = harness.gateway.baseUrl()
                + captured.getString("url").replace("127.0.0.1:18001", "127.0.0.1:" + harness.upstream.port());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        captured.getJsonObject("headers").forEach((header, value) -> {
            if (!RESTRICTED_HEADERS.contains(header)) {
                request.header(header, ((jakarta.json.JsonString) value).getString());
            }
        });
        if (captured.getString("method").equals("HEAD")) {
            HttpResponse<Void> probe = GatewayHarness.HTTP.send(request.method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, probe.statusCode());
            return;
        }
        HttpResponse<String> response = GatewayHarness.HTTP.send(request.POST(HttpRequest.BodyPublishers.ofString(
                captured.getJsonObject("body").toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("message_stop", SseTranscript.lines(response.body()).get(SseTranscript.lines(response.body()).size() - 1));

        List<LoggedRequest> sent = harness.upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")));
        assertEquals(1, sent.size());
        harness.upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("x-api-key", absent()).withHeader("anthropic-beta", absent())
                .withHeader("anthropic-version", absent()));
        JsonObject headers = captured.getJsonObject("headers");
        String expectedKey = headers.containsKey("x-api-key") ? headers.getString("x-api-key")
                : headers.getString("authorization").substring("Bearer ".length());
        assertEquals("Bearer " + expectedKey, sent.get(0).getHeader("Authorization"));
        JsonObject upstreamBody = GatewayHarness.json(sent.get(0).getBodyAsString());
        assertNoKeys(upstreamBody, "");
        assertEquals("route-model", upstreamBody.getString("model"));
        assertTrue(upstreamBody.getInt("max_tokens") <= 32768);
        var messages = upstreamBody.getJsonArray("messages");
        assertEquals("system", messages.getJsonObject(0).getString("role"));
        assertFalse(messages.getJsonObject(0).getString("content").contains("x-anthropic-billing-header"));
        Set<String> callIds = new HashSet<>();
        for (int i = 1; i < messages.size(); i++) {
            JsonObject message = messages.getJsonObject(i);
            assertTrue(Set.of("user", "assistant", "tool").contains(message.getString("role")), message.toString());
            if (message.containsKey("tool_calls")) {
                message.getJsonArray("tool_calls").forEach(call -> callIds.add(call.asJsonObject().getString("id")));
            }
            if (message.getString("role").equals("tool")) {
                assertTrue(callIds.contains(message.getString("tool_call_id")), "tool message answers an earlier call");
            }
        }
    }

    private static void assertNoKeys(JsonValue value, String path) {
        if (value instanceof JsonObject object) {
            object.forEach((key, inner) -> {
                assertFalse(NEVER_UPSTREAM.contains(key) && !path.endsWith(".properties"),
                        "'" + key + "' reached the upstream at " + path);
                assertNoKeys(inner, path + "." + key);
            });
        } else if (value != null && value.getValueType() == JsonValue.ValueType.ARRAY) {
            value.asJsonArray().forEach(inner -> assertNoKeys(inner, path + "[]"));
        }
    }
}
