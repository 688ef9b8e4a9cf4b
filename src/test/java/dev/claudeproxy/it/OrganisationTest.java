package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.claudeproxy.EmbeddedGateway;
import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.realm.GenericPrincipal;
import org.apache.catalina.valves.ValveBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a company configures: routes by model tier with no upstream in the path, keys held by the
 * server, who may use the gateway, which upstreams paths may name, and how large a request may be.
 */
class OrganisationTest {

    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

    private static WireMockServer upstream;

    @BeforeAll
    static void startUpstream() {
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop();
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
        upstream.stubFor(post(urlPathMatching("/.*/chat/completions")).willReturn(okJson(COMPLETION)));
    }

    private static String base(String path) {
        return "http://127.0.0.1:" + upstream.port() + path;
    }

    private static String pathRoute(String model) {
        return "/http/127.0.0.1:" + upstream.port() + "/path/v1/" + model;
    }

    private static HttpResponse<String> send(EmbeddedGateway gateway, String path, String model, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":10,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return GatewayHarness.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> response, int status, String type) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject error = GatewayHarness.json(response.body()).getJsonObject("error");
        assertEquals(type, error.getString("type"), response.body());
    }

    private static Map<String, String> tiers() {
        return Map.of("SONNET_BASE_URL", base("/sonnet/v1"), "SONNET_MODEL_NAME", "s-model",
                "OPUS_BASE_URL", base("/opus/v1/"), "OPUS_MODEL_NAME", "o-model",
                "DEFAULT_BASE_URL", base("/default/v1"), "DEFAULT_MODEL_NAME", "d-model");
    }

    @Test
    void bareBaseUrlRoutesByModelFamilyThenToTheDefaultRoute() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("/claude-proxy", tiers())) {
            for (String[] row : new String[][] {{"claude-sonnet-4-5-20250929", "/sonnet/v1", "s-model"},
                    {"claude-opus-4-1", "/opus/v1", "o-model"}, {"claude-haiku-4-5", "/default/v1", "d-model"},
                    {"gpt-4o", "/default/v1", "d-model"}}) {
                upstream.resetRequests();
                HttpResponse<String> response = send(gateway, "/v1/messages?beta=true", row[0]);
                assertEquals(200, response.statusCode(), response.body());
                assertEquals(row[0], GatewayHarness.json(response.body()).getString("model"), "the client sees its model");
                upstream.verify(1, postRequestedFor(urlEqualTo(row[1] + "/chat/completions"))
                        .withRequestBody(matchingJsonPath("$.model", equalTo(row[2]))));
            }
        }
    }

    @Test
    void thePathWinsOverTheSonnetRouteAndTheHaikuRouteWinsOverThePath() throws Exception {
        Map<String, String> settings = new HashMap<>(tiers());
        settings.putAll(Map.of("HAIKU_BASE_URL", base("/haiku/v1"), "HAIKU_MODEL_NAME", "h-model"));
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", settings)) {
            assertEquals(200, send(gateway, pathRoute("p-model") + "/v1/messages", "claude-sonnet-4-5").statusCode());
            upstream.verify(postRequestedFor(urlEqualTo("/path/v1/chat/completions"))
                    .withRequestBody(matchingJsonPath("$.model", equalTo("p-model"))));
            assertEquals(200, send(gateway, pathRoute("p-model") + "/v1/messages", "claude-haiku-4-5").statusCode());
            upstream.verify(postRequestedFor(urlEqualTo("/haiku/v1/chat/completions"))
                    .withRequestBody(matchingJsonPath("$.model", equalTo("h-model"))));
        }
    }

    @Test
    void aModelNameThatIsNotClaudesGoesToThePathsUpstreamAsItIs() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            assertEquals(200, send(gateway, pathRoute("big-model") + "/v1/messages", "claude-3-5-haiku-20241022").statusCode());
            upstream.verify(1, postRequestedFor(urlEqualTo("/path/v1/chat/completions"))
                    .withRequestBody(matchingJsonPath("$.model", equalTo("big-model"))));
            HttpResponse<String> fast = send(gateway, pathRoute("big-model") + "/v1/messages", "llama-3.1-8b-instant");
            assertEquals(200, fast.statusCode());
            assertEquals("llama-3.1-8b-instant", GatewayHarness.json(fast.body()).getString("model"));
            upstream.verify(1, postRequestedFor(urlEqualTo("/path/v1/chat/completions"))
                    .withRequestBody(matchingJsonPath("$.model", equalTo("llama-3.1-8b-instant"))));
        }
    }

    @Test
    void bareBaseUrlThatNoRouteServesIs404NamingTheWayOut() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of(
                "SONNET_BASE_URL", base("/sonnet/v1"), "SONNET_MODEL_NAME", "s-model"))) {
            HttpResponse<String> response = send(gateway, "/v1/messages", "claude-opus-4-1");
            assertError(response, 404, "not_found_error");
            assertTrue(response.body().contains("claude-opus-4-1") && response.body().contains("/v1/messages"),
                    response.body());
            upstream.verify(0, anyRequestedFor(anyUrl()));
        }
    }

    @Test
    void modelsListsEveryConfiguredRouteUnderClaudeIds() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", tiers())) {
            HttpResponse<String> response = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                    URI.create(gateway.baseUrl() + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            List<String> ids = GatewayHarness.json(response.body()).getJsonArray("data").getValuesAs(JsonObject.class)
                    .stream().map(model -> model.getString("id")).sorted().toList();
            assertEquals(List.of("claude-d-model", "claude-opus-o-model", "claude-sonnet-s-model"), ids);
        }
    }

    @Test
    void aServerHeldKeyGoesUpstreamAndTheClientsOnlyWhereAllowed() throws Exception {
        Map<String, String> settings = Map.of("UPSTREAM_KEYS_BY_HOST", "http://127.0.0.1:" + upstream.port() + "=sk-server-held");
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", settings)) {
            assertEquals(200, send(gateway, pathRoute("m") + "/v1/messages", "m", "x-api-key", "sk-client").statusCode());
            assertEquals(200, send(gateway, pathRoute("m") + "/v1/messages", "m").statusCode());
            upstream.verify(2, postRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer sk-server-held")));
        }
        upstream.resetRequests();
        Map<String, String> overridable = Map.of("UPSTREAM_KEYS_BY_HOST", "http://127.0.0.1:" + upstream.port() + "=sk-server-held",
                "CLIENT_KEY_OVERRIDES_SERVER_KEY", "true");
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", overridable)) {
            assertEquals(200, send(gateway, pathRoute("m") + "/v1/messages", "m", "x-api-key", "sk-client").statusCode());
            assertEquals(200, send(gateway, pathRoute("m") + "/v1/messages", "m").statusCode());
            upstream.verify(1, postRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer sk-client")));
            upstream.verify(1, postRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer sk-server-held")));
        }
    }

    @Test
    void clientKeysGuardEveryApiEndpointAndNeverGoUpstream() throws Exception {
        Map<String, String> settings = Map.of("CLIENT_AUTH", "keys", "CLIENT_KEYS", "gw-team-a,gw-team-b");
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", settings)) {
            String messages = pathRoute("m") + "/v1/messages";
            assertError(send(gateway, messages, "m"), 401, "authentication_error");
            assertError(send(gateway, messages, "m", "x-api-key", "gw-team-c"), 401, "authentication_error");
            assertError(send(gateway, messages + "/count_tokens", "m"), 401, "authentication_error");
            assertError(GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
                    + pathRoute("m") + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString()), 401,
                    "authentication_error");
            upstream.verify(0, anyRequestedFor(anyUrl()));

            assertEquals(200, send(gateway, messages, "m", "Authorization", "Bearer gw-team-b").statusCode());
            upstream.verify(1, postRequestedFor(anyUrl()).withoutHeader("Authorization"));
            // Probes stay open for load balancers and Claude Code's HEAD check.
            assertEquals(200, GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
                    + "/_proxy/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void ssoHeaderModeNeedsTheHeader() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("CLIENT_AUTH", "header",
                "CLIENT_USER_HEADER", "X-Forwarded-User", "UPSTREAM_KEYS_BY_HOST",
                "http://127.0.0.1:" + upstream.port() + "=sk-server-held"))) {
            String messages = pathRoute("m") + "/v1/messages";
            HttpResponse<String> refused = send(gateway, messages, "m", "x-api-key", "sk-anything");
            assertError(refused, 401, "authentication_error");
            assertTrue(refused.body().contains("X-Forwarded-User"), refused.body());
            assertEquals(200, send(gateway, messages, "m", "X-Forwarded-User", "alice@corp").statusCode());
            upstream.verify(1, postRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer sk-server-held")));
        }
    }

    /** Issue 24: a value of spaces only (a no-break space) or with a control character is no user at all. */
    @Test
    void anInvisibleOrControlUserHeaderIsNoUser() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("CLIENT_AUTH", "header",
                "CLIENT_USER_HEADER", "X-Forwarded-User", "UPSTREAM_KEYS_BY_HOST",
                "http://127.0.0.1:" + upstream.port() + "=sk-server-held"))) {
            String messages = pathRoute("m") + "/v1/messages";
            // Header bytes are ISO-8859-1: 0xA0 is a no-break space, 0xAD a soft hyphen, 0x85 and 0x9F C1 controls.
            String body = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            for (String invisible : List.of("\u00A0", "\u00A0 \u00A0", "\u00AD", "alice\u0085", "\u009Fbob")) {
                String answer = RawHttp.send(gateway.port(), "POST " + messages + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nX-Forwarded-User: " + invisible + "\r\nConnection: close\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body);
                assertTrue(answer.startsWith("HTTP/1.1 401 ") && answer.contains("authentication_error"),
                        invisible.codePoints().mapToObj(Integer::toHexString).toList() + " " + answer);
            }
            upstream.verify(0, postRequestedFor(anyUrl()));
            assertEquals(200, send(gateway, messages, "m", "X-Forwarded-User", "\u00E9lodie").statusCode());
        }
    }

    /**
     * Stands in for a container sign-on module: a valve that authenticates requests carrying a test
     * header. Declared without async support on purpose, as some sign-on filters are.
     */
    static final class TestSignOn extends ValveBase {
        @Override
        public void invoke(Request request, Response response) throws java.io.IOException, jakarta.servlet.ServletException {
            String user = request.getHeader("X-Test-Sign-On");
            if (user != null) {
                request.setUserPrincipal(new GenericPrincipal(user, List.of()));
            }
            getNext().invoke(request, response);
        }
    }

    @Test
    void principalModeNeedsAContainerAuthenticatedUser() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start(0, "", Map.of("CLIENT_AUTH", "principal"), Map.of(),
                context -> context.getPipeline().addValve(new TestSignOn()))) {
            String messages = pathRoute("m") + "/v1/messages";
            assertError(send(gateway, messages, "m", "X-Forwarded-User", "mallory"), 401, "authentication_error");
            assertEquals(200, send(gateway, messages, "m", "X-Test-Sign-On", "alice").statusCode());
            HttpResponse<String> streamed = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
                            + messages)).header("X-Test-Sign-On", "alice").header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\","
                                    + "\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, streamed.statusCode(), "served without async support too: " + streamed.body());
            assertTrue(streamed.body().contains("event: message_stop"), streamed.body());
        }
    }

    @Test
    void theAllowlistLimitsPathUpstreamsButNotConfiguredRoutes() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("UPSTREAM_ALLOWLIST", "api.groq.com,*.corp",
                "SONNET_BASE_URL", base("/sonnet/v1"), "SONNET_MODEL_NAME", "s-model"))) {
            HttpResponse<String> refused = send(gateway, pathRoute("m") + "/v1/messages", "m");
            assertError(refused, 403, "permission_error");
            assertTrue(refused.body().contains("allowlist"), refused.body());
            upstream.verify(0, anyRequestedFor(anyUrl()));
            assertEquals(200, send(gateway, "/v1/messages", "claude-sonnet-4-5").statusCode());
        }
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("UPSTREAM_ALLOWLIST", "127.0.0.1"))) {
            assertEquals(200, send(gateway, pathRoute("m") + "/v1/messages", "m").statusCode());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/http/169.254.169.254/latest/m", "/169.254.170.2/v1/m", "/http/%5Bfe80::1%5D:8080/v1/m",
        "/metadata.google.internal/computeMetadata/v1/m", "/http/100.100.100.200/v1/m"})
    void metadataAndLinkLocalUpstreamsAreAlwaysRefused(String route) throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            HttpResponse<String> response = send(gateway, route + "/v1/messages", "m");
            assertError(response, 403, "permission_error");
        }
    }

    @Test
    void bodiesOverTheLimitAre413WithOrWithoutALength() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("MAX_REQUEST_BYTES", "2000"))) {
            String big = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\""
                    + "x".repeat(3000) + "\"}]}";
            for (String endpoint : List.of("/v1/messages", "/v1/messages/count_tokens")) {
                HttpResponse<String> declared = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                                URI.create(gateway.baseUrl() + pathRoute("m") + endpoint)).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
                assertError(declared, 413, "request_too_large");
                HttpResponse<String> chunked = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                                URI.create(gateway.baseUrl() + pathRoute("m") + endpoint)).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertError(chunked, 413, "request_too_large");
            }
            upstream.verify(0, anyRequestedFor(anyUrl()));
            assertEquals(200, send(gateway, pathRoute("m") + "/v1/messages", "m").statusCode(), "small bodies pass");
        }
    }

    @Test
    void corsIsOffByDefaultAndAnswersOnlyConfiguredOrigins() throws Exception {
        HttpRequest.Builder preflight = HttpRequest.newBuilder().method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://tools.corp").header("Access-Control-Request-Method", "POST");
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            HttpResponse<String> response = send(gateway, pathRoute("m") + "/v1/messages", "m", "Origin", "https://tools.corp");
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        }
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("CORS_ALLOWED_ORIGINS", "https://tools.corp"))) {
            String messages = gateway.baseUrl() + pathRoute("m") + "/v1/messages";
            HttpResponse<String> allowed = GatewayHarness.HTTP.send(preflight.uri(URI.create(messages)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, allowed.statusCode());
            assertEquals("https://tools.corp", allowed.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertTrue(allowed.headers().firstValue("Access-Control-Allow-Headers").orElseThrow().contains("x-api-key"));

            HttpResponse<String> error = send(gateway, "/nowhere", "m", "Origin", "https://tools.corp");
            assertEquals(404, error.statusCode());
            assertEquals("https://tools.corp", error.headers().firstValue("Access-Control-Allow-Origin").orElse(null),
                    "errors are readable by the allowed page too");
            HttpResponse<String> other = send(gateway, pathRoute("m") + "/v1/messages", "m", "Origin", "https://evil.example");
            assertNull(other.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        }
    }

    @Test
    void upstreamRedirectsAreNotFollowed() throws Exception {
        WireMockServer elsewhere = new WireMockServer(options().dynamicPort());
        elsewhere.start();
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            upstream.stubFor(post(urlEqualTo("/moved/v1/chat/completions")).willReturn(aResponse().withStatus(307)
                    .withHeader("Location", "http://127.0.0.1:" + elsewhere.port() + "/steal/chat/completions")));
            HttpResponse<String> response = send(gateway, "/http/127.0.0.1:" + upstream.port() + "/moved/v1/m/v1/messages",
                    "m", "x-api-key", "sk-client");
            HostileInputTest.assertAnthropicError(response, 502, "api_error");
            assertTrue(response.body().contains("redirect"), response.body());
            assertEquals("false", response.headers().firstValue("x-should-retry").orElse(""), "the same next time");
            elsewhere.verify(0, anyRequestedFor(anyUrl()));
        } finally {
            elsewhere.stop();
        }
    }
}
