package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.claudeproxy.EmbeddedGateway;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Upstreams named in server configuration ({@code UPSTREAMS}), reached as
 * {@code /_/<name>[/<model>]/v1/messages}: the form with no colon in the path, for servers that
 * refuse one (GlassFish), which also reaches an explicit port and a model id holding a colon.
 */
class NamedUpstreamTest {

    private static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"up\","
            + "\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Hello.\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";

    private static WireMockServer upstream;
    private static EmbeddedGateway gateway;

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
        String local = "http://127.0.0.1:" + upstream.port();
        // Loopback is not allowed for URLs in paths: the named upstreams are trusted as configured.
        gateway = EmbeddedGateway.start("", Map.of("UPSTREAM_ALLOWLIST", "api.example.com",
                "UPSTREAMS", "ollama=" + local + "/v1|qwen3:8b, bare=" + local + "/bare/v1"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.stop();
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
        upstream.stubFor(post(urlEqualTo("/bare/v1/chat/completions")).willReturn(okJson(COMPLETION)));
    }

    private static HttpResponse<String> send(String path, String model) throws Exception {
        assertFalse(path.contains(":"), "the colon-free form: " + path);
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                .header("content-type", "application/json").header("x-api-key", "sk-client")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":100,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        return GatewayHarness.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0} asking for {1} -> {3}")
    @CsvSource({
        "/_/ollama/v1/messages, claude-sonnet-4-5, /v1/chat/completions, qwen3:8b",
        "/_/ollama/v1/messages, llama3.3:70b, /v1/chat/completions, llama3.3:70b",
        "/_/ollama/qwen3-coder/v1/messages, claude-opus-4-1, /v1/chat/completions, qwen3-coder",
        "/_/ollama/~/org/model/v1/messages, claude-sonnet-4-5, /v1/chat/completions, org/model",
        "/_/bare/v1/messages, gpt-oss:20b, /bare/v1/chat/completions, gpt-oss:20b",
    })
    void aNamedUpstreamIsReachedWithoutAColonInThePath(String path, String requested, String upstreamPath,
                                                       String expectedModel) throws Exception {
        HttpResponse<String> response = send(path, requested);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("Hello.", GatewayHarness.json(response.body()).getJsonArray("content").getJsonObject(0)
                .getString("text"));
        upstream.verify(postRequestedFor(urlEqualTo(upstreamPath))
                .withHeader("Authorization", equalTo("Bearer sk-client"))
                .withRequestBody(matchingJsonPath("$.model", equalTo(expectedModel))));
    }

    @Test
    void aClaudeModelNeedsAModelFromThePathOrTheConfiguration() throws Exception {
        HttpResponse<String> response = send("/_/bare/v1/messages", "claude-sonnet-4-5");
        assertEquals(404, response.statusCode(), response.body());
        JsonObject error = GatewayHarness.json(response.body()).getJsonObject("error");
        assertEquals("not_found_error", error.getString("type"));
        assertTrue(error.getString("message").contains("UPSTREAMS"), error.getString("message"));
        assertEquals(0, upstream.getAllServeEvents().size());
    }

    @Test
    void anUnknownNameIsNotFoundAndNamesTheSetting() throws Exception {
        HttpResponse<String> response = send("/_/elsewhere/v1/messages", "claude-sonnet-4-5");
        assertEquals(404, response.statusCode(), response.body());
        assertTrue(GatewayHarness.json(response.body()).getJsonObject("error").getString("message")
                .contains("UPSTREAMS"), response.body());
    }

    @Test
    void theSameHostNamedByUrlStillMeetsTheAllowlist() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/http/127.0.0.1:" + upstream.port()
                        + "/v1/some-model/v1/messages"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        HttpResponse<String> response = GatewayHarness.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(403, response.statusCode(), response.body());
        assertEquals(0, upstream.getAllServeEvents().size());
    }
}
