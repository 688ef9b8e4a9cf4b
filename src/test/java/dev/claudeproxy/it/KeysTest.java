package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.claudeproxy.EmbeddedGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where keys may travel (issue 11, points 9 and 10): a client's key only to the origin (scheme,
 * host, port) its path named, or to a server route that allows it; a server-held key only to
 * exactly the origin it was configured for, and over plain http only when that was written out;
 * and no upstream can make the gateway repeat a key back to a client.
 */
class KeysTest {

    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";
    private static final String CLIENT_KEY = "sk-client-own-key-0123456789";

    /** The upstream the client names in its path. */
    private static WireMockServer named;
    /** Another upstream: a server route's. */
    private static WireMockServer other;

    @BeforeAll
    static void startUpstreams() {
        named = new WireMockServer(options().dynamicPort());
        other = new WireMockServer(options().dynamicPort());
        named.start();
        other.start();
    }

    @AfterAll
    static void stopUpstreams() {
        named.stop();
        other.stop();
    }

    @BeforeEach
    void answer() {
        for (WireMockServer upstream : new WireMockServer[] {named, other}) {
            upstream.resetAll();
            upstream.stubFor(post(urlPathMatching(".*")).willReturn(okJson(COMPLETION)));
        }
    }

    private static String namedRoute() {
        return "/http/127.0.0.1:" + named.port() + "/v1/path-model";
    }

    private static HttpResponse<String> send(EmbeddedGateway gateway, String path, String model) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path + "/v1/messages"))
                .header("content-type", "application/json").header("x-api-key", CLIENT_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":10,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> haikuOnOther(String... more) {
        Map<String, String> settings = new HashMap<>(Map.of("HAIKU_BASE_URL", "http://127.0.0.1:" + other.port() + "/v1",
                "HAIKU_MODEL_NAME", "small"));
        for (int i = 0; i < more.length; i += 2) {
            settings.put(more[i], more[i + 1]);
        }
        return settings;
    }

    @Test
    void aClientKeyGoesToTheUpstreamItsPathNamesButNotToAServerRoute() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", haikuOnOther())) {
            assertEquals(200, send(gateway, namedRoute(), "claude-sonnet-4-5").statusCode());
            assertEquals(200, send(gateway, namedRoute(), "claude-haiku-4-5").statusCode());
            named.verify(1, postRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer " + CLIENT_KEY)));
            other.verify(1, postRequestedFor(anyUrl()).withoutHeader("Authorization"));
        }
    }

    @Test
    void aServerRouteSendsTheClientsKeyOnlyWhenItsSettingAllows() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", haikuOnOther("HAIKU_USE_CLIENT_KEY", "true"))) {
            assertEquals(200, send(gateway, namedRoute(), "claude-haiku-4-5").statusCode());
            other.verify(1, postRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer " + CLIENT_KEY)));
        }
    }

    @Test
    void aServerRouteOnTheOriginThePathNamesMayUseTheClientsKey() throws Exception {
        Map<String, String> sameOrigin = Map.of("HAIKU_BASE_URL", "http://127.0.0.1:" + named.port() + "/haiku/v1",
                "HAIKU_MODEL_NAME", "small");
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", sameOrigin)) {
            assertEquals(200, send(gateway, namedRoute(), "claude-haiku-4-5").statusCode());
            named.verify(1, postRequestedFor(urlPathMatching("/haiku/v1/.*"))
                    .withHeader("Authorization", equalTo("Bearer " + CLIENT_KEY)));
        }
    }

    @Test
    void aKeylessRouteThatIsRefusedSaysWhichSettingGivesItAKey() throws Exception {
        other.stubFor(post(urlPathMatching(".*")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"Missing API key\"}}")));
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", haikuOnOther())) {
            HttpResponse<String> response = send(gateway, namedRoute(), "claude-haiku-4-5");
            HostileInputTest.assertAnthropicError(response, 401, "authentication_error");
            assertTrue(response.body().contains("HAIKU_API_KEY") && response.body().contains("HAIKU_USE_CLIENT_KEY"),
                    response.body());
        }
    }

    @Test
    void aServerHeldKeyGoesOnlyToTheOriginItWasConfiguredFor() throws Exception {
        String plainHttpEntry = "http://127.0.0.1:" + named.port() + "=sk-server-held";
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("UPSTREAM_KEYS_BY_HOST",
                "127.0.0.1=sk-https-only," + plainHttpEntry))) {
            assertEquals(200, send(gateway, namedRoute(), "m").statusCode());
            named.verify(1, postRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer sk-server-held")));
            // Another port of the same host gets neither server key: the client's own goes where it named.
            assertEquals(200, send(gateway, "/http/127.0.0.1:" + other.port() + "/v1/m", "m").statusCode());
            other.verify(1, postRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer " + CLIENT_KEY)));
        }
    }

    @Test
    void aServerHeldKeyForAHostNeverGoesOverPlainHttp() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("UPSTREAM_KEYS_BY_HOST",
                "127.0.0.1=sk-https-only", "SONNET_BASE_URL", "http://127.0.0.1:" + other.port() + "/v1",
                "SONNET_MODEL_NAME", "s"))) {
            assertEquals(200, send(gateway, "", "claude-sonnet-4-5").statusCode());
            other.verify(1, postRequestedFor(anyUrl()).withoutHeader("Authorization"));
            named.verify(0, postRequestedFor(anyUrl()));
        }
    }

    @Test
    void anUpstreamThatEchoesTheKeyItGotNeverMakesTheGatewayRepeatIt() throws Exception {
        named.stubFor(post(urlPathMatching(".*")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Incorrect API key provided: " + CLIENT_KEY + ". Also "
                        + CLIENT_KEY.substring(3) + "\"}}")));
        // Named a provider API, as api.openai.com is: its error texts are relayed, keys cut out.
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("PROFILE_BY_HOST", "127.0.0.1=openai"))) {
            HttpResponse<String> response = send(gateway, namedRoute(), "m");
            HostileInputTest.assertAnthropicError(response, 401, "authentication_error");
            assertFalse(response.body().contains(CLIENT_KEY.substring(10, 22)), response.body());
            assertTrue(response.body().contains("Incorrect API key provided"), response.body());
        }
    }
}
