package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.LogCapture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The WAR's web.xml deployed under a context path and as ROOT, and the Haiku route configured the
 * ways a deployer configures it (JNDI entries win over context parameters).
 */
class DeploymentTest {

    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

    private WireMockServer upstream;

    @BeforeEach
    void startUpstream() {
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/path/v1/chat/completions")).willReturn(okJson(COMPLETION)));
        upstream.stubFor(post(urlEqualTo("/haiku/v1/chat/completions")).willReturn(okJson(COMPLETION)));
        upstream.stubFor(post(urlEqualTo("/jndi/v1/chat/completions")).willReturn(okJson(COMPLETION)));
    }

    @AfterEach
    void stopUpstream() {
        upstream.stop();
    }

    /** Stands in for a sign-on valve that refuses with the container's own error mechanism. */
    static final class RefusingSignOn extends org.apache.catalina.valves.ValveBase {
        @Override
        public void invoke(org.apache.catalina.connector.Request request, org.apache.catalina.connector.Response response)
                throws java.io.IOException {
            response.sendError(403);
        }
    }

    @Test
    void errorsTheContainerRaisesAreAnsweredInTheAnthropicEnvelope() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start(0, "/claude-proxy", Map.of(), Map.of(),
                context -> context.getPipeline().addValve(new RefusingSignOn()))) {
            HttpResponse<String> response = send(gateway.baseUrl() + route("/path/v1", "m") + "/v1/messages",
                    "claude-sonnet-4-5", null);
            HostileInputTest.assertAnthropicError(response, 403, "permission_error");
        }
    }

    @Test
    void routesAreRelativeToTheContextPath() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("/claude-proxy", Map.of())) {
            HttpResponse<String> response = send(gateway.baseUrl() + route("/path/v1", "m") + "/v1/messages", "claude-sonnet-4-5", null);
            assertEquals(200, response.statusCode(), response.body());
            upstream.verify(postRequestedFor(urlEqualTo("/path/v1/chat/completions")));
        }
    }

    @Test
    void haikuModelGoesToTheConfiguredHaikuRouteWithItsModelAndKey() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of(
                "HAIKU_BASE_URL", "http://127.0.0.1:" + upstream.port() + "/haiku/v1/",
                "HAIKU_MODEL_NAME", "llama-3.1-8b-instant",
                "HAIKU_API_KEY", "sk-server-haiku"))) {
            HttpResponse<String> response = send(gateway.baseUrl() + route("/path/v1", "big-model") + "/v1/messages",
                    "claude-haiku-5-5", "sk-client");
            assertEquals(200, response.statusCode(), response.body());
            upstream.verify(postRequestedFor(urlEqualTo("/haiku/v1/chat/completions"))
                    .withHeader("Authorization", equalTo("Bearer sk-server-haiku"))
                    .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath(
                            "$.model", equalTo("llama-3.1-8b-instant"))));
            assertEquals(0, upstream.findAll(postRequestedFor(urlEqualTo("/path/v1/chat/completions"))).size());
            assertEquals("claude-haiku-5-5", GatewayHarness.json(response.body()).getString("model"));

            send(gateway.baseUrl() + route("/path/v1", "big-model") + "/v1/messages", "claude-sonnet-4-5", "sk-client");
            upstream.verify(postRequestedFor(urlEqualTo("/path/v1/chat/completions"))
                    .withHeader("Authorization", equalTo("Bearer sk-client")));
        }
    }

    @Test
    void haikuRouteWithoutServerKeyUsesTheClientKey() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of(
                "HAIKU_BASE_URL", "http://127.0.0.1:" + upstream.port() + "/haiku/v1",
                "HAIKU_MODEL_NAME", "small"))) {
            send(gateway.baseUrl() + route("/path/v1", "m") + "/v1/messages", "claude-3-5-HAIKU-latest", "sk-client");
            upstream.verify(postRequestedFor(urlEqualTo("/haiku/v1/chat/completions"))
                    .withHeader("Authorization", equalTo("Bearer sk-client")));
        }
    }

    @Test
    void withoutHaikuRouteHaikuRequestsFollowThePath() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            HttpResponse<String> response = send(gateway.baseUrl() + route("/path/v1", "m") + "/v1/messages",
                    "claude-haiku-5-5", null);
            assertEquals(200, response.statusCode(), response.body());
            upstream.verify(postRequestedFor(urlEqualTo("/path/v1/chat/completions")));
        }
    }

    @Test
    void jndiEntriesWinOverContextParameters() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start(0, "/claude-proxy",
                Map.of("HAIKU_BASE_URL", "http://127.0.0.1:" + upstream.port() + "/haiku/v1", "HAIKU_MODEL_NAME", "from-param"),
                Map.of("HAIKU_BASE_URL", "http://127.0.0.1:" + upstream.port() + "/jndi/v1"))) {
            send(gateway.baseUrl() + route("/path/v1", "m") + "/v1/messages", "claude-haiku-5-5", null);
            upstream.verify(postRequestedFor(urlEqualTo("/jndi/v1/chat/completions"))
                    .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath(
                            "$.model", equalTo("from-param"))));
        }
    }

    private String route(String upstreamPath, String model) {
        return "/http/127.0.0.1:" + upstream.port() + upstreamPath + "/" + model;
    }

    private static HttpResponse<String> send(String url, String model, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":50,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        if (key != null) {
            request.header("x-api-key", key);
        }
        return GatewayHarness.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anInvalidSettingFailsTheDeploymentNamingIt() throws Exception {
        try (LogCapture catalina = LogCapture.of("org.apache.catalina.core", Level.ALL);
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("CLIENT_AUTH", "ldap"))) {
            List<String> failures = catalina.thrownMessages();
            assertFalse(gateway.available(), "the webapp must not start");
            assertTrue(failures.stream().anyMatch(message -> message.contains(
                    "claude-proxy configuration is invalid: CLIENT_AUTH")), failures.toString());
            HttpResponse<String> response = send(gateway.baseUrl() + route("/path/v1", "m") + "/v1/messages",
                    "claude-sonnet-4-5", null);
            assertNotEquals(200, response.statusCode());
            upstream.verify(0, postRequestedFor(urlEqualTo("/path/v1/chat/completions")));
        }
    }

    /**
     * A deployment that the policy file refuses leaves no thread of the webapp running: the
     * container does not call destroy on a servlet whose init failed, so nothing that starts a
     * thread may come before the last step that can refuse.
     */
    @Test
    void aRefusedPolicyFileFailsTheDeploymentAndLeavesNoThreadRunning(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path policy = java.nio.file.Files.writeString(dir.resolve("policy.conf"), "[team eng]\n");
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("POLICY_FILE", policy.toString()))) {
            HttpResponse<String> response = send(gateway.baseUrl() + route("/path/v1", "m") + "/v1/messages",
                    "claude-sonnet-4-5", null);
            assertNotEquals(200, response.statusCode(), "the gateway must not serve: " + response.body());
            List<String> left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(name -> name.startsWith("claude-proxy-")).toList();
            assertTrue(left.isEmpty(), "threads left running: " + left);
        }
    }
}
