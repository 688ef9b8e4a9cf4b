package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.claudeproxy.EmbeddedGateway;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a request can reach (issue 11, points 12, 15, 17 and 20): by default no path reaches the
 * gateway's own machine or networks, an allowlist entry opens exactly the host and port it names,
 * browsers cannot post to the gateway cross-site without a preflight, and the served set-up
 * script prefers the configured public URL.
 */
class ReachTest {

    private static final String BODY = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}]}";

    private static WireMockServer upstream;

    @BeforeAll
    static void startUpstream() {
        upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop();
    }

    @BeforeEach
    void answer() {
        upstream.resetAll();
        upstream.stubFor(post(urlPathMatching(".*")).willReturn(okJson(COMPLETION)));
    }

    /** The WAR with exactly these settings and its defaults for the rest. */
    private static EmbeddedGateway asShipped(Map<String, String> settings) {
        return EmbeddedGateway.startAsShipped(0, "127.0.0.1", "", settings, Map.of(), context -> { });
    }

    private static HttpResponse<String> send(EmbeddedGateway gateway, String route) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + route + "/v1/messages"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"localhost:PORT", "127.0.0.1:PORT", "127.0.0.2:PORT", "0.0.0.0:PORT", "[::1]:PORT",
        "[::ffff:127.0.0.1]:PORT", "[::ffff:7f00:1]:PORT", "[::]:PORT", "10.1.2.3", "172.16.0.1", "192.168.1.1",
        "100.64.0.1", "[fd00::1]", "[fc00::1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::1]", "198.18.0.1", "224.0.0.1"})
    void anUpstreamOnTheGatewaysOwnMachineOrNetworkIsRefusedByDefault(String authority) throws Exception {
        try (EmbeddedGateway gateway = asShipped(Map.of())) {
            // Brackets percent-encoded: the JDK client takes none in a path, and the container decodes them.
            HttpResponse<String> response = send(gateway, "/http/" + authority.replace("PORT",
                    Integer.toString(upstream.port())).replace("[", "%5B").replace("]", "%5D") + "/v1/m");
            HostileInputTest.assertAnthropicError(response, 403, "permission_error");
            assertTrue(response.body().contains("UPSTREAM_ALLOWLIST"), response.body());
        }
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    /**
     * Issue 23, point 7: a plain-http upstream named as https (no /http/ in the path, or no http://
     * in its setting) failed with a raw TLS error; the answer now says what to write, and is not
     * retried, since it would fail the same way.
     */
    @Test
    void aPlainHttpUpstreamNamedAsHttpsIsAnsweredWithWhatToWrite() throws Exception {
        String authority = "127.0.0.1:" + upstream.port();
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("DEFAULT_BASE_URL", authority + "/v1",
                "DEFAULT_MODEL_NAME", "m", "UPSTREAMS", "local=" + authority + "/v1|m"))) {
            HttpResponse<String> byPath = send(gateway, "/" + authority + "/v1/m");
            HostileInputTest.assertAnthropicError(byPath, 502, "api_error");
            assertTrue(byPath.body().contains("plain HTTP") && byPath.body().contains(".../http/" + authority + "/"),
                    byPath.body());
            assertEquals(Optional.of("false"), byPath.headers().firstValue("x-should-retry"), byPath.headers().toString());

            HttpResponse<String> byRoute = send(gateway, "");
            HostileInputTest.assertAnthropicError(byRoute, 502, "api_error");
            assertTrue(byRoute.body().contains("http:// in DEFAULT_BASE_URL"), byRoute.body());

            HttpResponse<String> byName = send(gateway, "/_/local");
            HostileInputTest.assertAnthropicError(byName, 502, "api_error");
            assertTrue(byName.body().contains("http:// in UPSTREAMS"), byName.body());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"2130706433", "127.000.000.001", "0x7f000001", "127.1", "017700000001"})
    void anAddressWrittenAnyWayButDottedDecimalIsNoHost(String host) throws Exception {
        try (EmbeddedGateway gateway = asShipped(Map.of())) {
            HttpResponse<String> response = send(gateway, "/http/" + host + ":" + upstream.port() + "/v1/m");
            HostileInputTest.assertAnthropicError(response, 404, "not_found_error");
        }
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void anAllowlistEntryOpensExactlyTheHostAndPortItNames() throws Exception {
        WireMockServer otherPort = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        otherPort.start();
        try (EmbeddedGateway gateway = asShipped(Map.of("UPSTREAM_ALLOWLIST", "*,127.0.0.1:" + upstream.port()))) {
            assertEquals(200, send(gateway, "/http/127.0.0.1:" + upstream.port() + "/v1/m").statusCode());
            HttpResponse<String> other = send(gateway, "/http/127.0.0.1:" + otherPort.port() + "/v1/m");
            HostileInputTest.assertAnthropicError(other, 403, "permission_error");
            otherPort.verify(0, anyRequestedFor(anyUrl()));
        } finally {
            otherPort.stop();
        }
    }

    @Test
    void aListedNetworkOpensTheHostsThatResolveIntoIt() throws Exception {
        try (EmbeddedGateway gateway = asShipped(Map.of("UPSTREAM_ALLOWLIST", "*,127.0.0.0/8"))) {
            assertEquals(200, send(gateway, "/http/localhost:" + upstream.port() + "/v1/m").statusCode());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"api.groq.com:99999", "https://api.groq.com", "10.0.0.0/40", "bad host", "[::1"})
    void aMalformedAllowlistEntryFailsTheDeployment(String entry) {
        try (EmbeddedGateway gateway = asShipped(Map.of("UPSTREAM_ALLOWLIST", entry))) {
            assertFalse(gateway.available(), entry + " was accepted");
        }
    }

    @Test
    void aPostThatAPageCouldSendCrossSiteWithoutAPreflightIsRefused() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            String messages = gateway.baseUrl() + "/http/127.0.0.1:" + upstream.port() + "/v1/m/v1/messages";
            for (String simpleType : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
                HttpResponse<String> refused = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(messages))
                        .header("content-type", simpleType).POST(HttpRequest.BodyPublishers.ofString(BODY)).build(),
                        HttpResponse.BodyHandlers.ofString());
                HostileInputTest.assertAnthropicError(refused, 415, "invalid_request_error");
            }
            upstream.verify(0, anyRequestedFor(anyUrl()));
            HttpResponse<String> anthropicHeader = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(messages))
                    .header("content-type", "text/plain").header("anthropic-version", "2023-06-01")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, anthropicHeader.statusCode(), "a header no simple request carries: " + anthropicHeader.body());
        }
    }

    @Test
    void aHostHeaderOutsideAllowedHostsIsRefused() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("ALLOWED_HOSTS", "localhost,127.0.0.1"))) {
            assertEquals(200, send(gateway, "/http/127.0.0.1:" + upstream.port() + "/v1/m").statusCode());
            String rebound = rawPost(gateway.port(), "rebound.evil.example:" + gateway.port(),
                    "/http/127.0.0.1:" + upstream.port() + "/v1/m/v1/messages");
            assertTrue(rebound.startsWith("HTTP/1.1 403 "), rebound);
            assertTrue(rebound.contains("permission_error") && rebound.contains("ALLOWED_HOSTS"), rebound);
        }
        upstream.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void theLocalRunListensOnLoopbackOnlyAndReachesUpstreamsOnThisMachine() throws Exception {
        try (EmbeddedGateway local = dev.claudeproxy.DevServerAccess.start(Map.of("PORT", "0"))) {
            assertEquals(200, send(local, "/http/localhost:" + upstream.port() + "/v1/m").statusCode(),
                    "Ollama on the same machine is the local run's main use");
            Optional<InetAddress> external = externalAddress();
            if (external.isPresent()) {
                assertThrows(IOException.class, () -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(external.get(), local.port()), 2000);
                    }
                }, "nothing listens on " + external.get());
            }
            String rebound = rawPost(local.port(), "rebound.evil.example", "/http/localhost:" + upstream.port()
                    + "/v1/m/v1/messages");
            assertTrue(rebound.startsWith("HTTP/1.1 403 "), rebound);
        }
    }

    @Test
    void theServedSetUpScriptPrefersTheConfiguredPublicUrl() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("/claude-proxy",
                Map.of("PUBLIC_URL", "https://gw.corp.example/claude-proxy/"))) {
            HttpResponse<String> served = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                    URI.create(gateway.baseUrl() + "/claude_proxy.sh")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, served.statusCode());
            assertTrue(served.body().contains("\nDEFAULT_GATEWAY=\"https://gw.corp.example/claude-proxy\"\n"),
                    "the public URL, not " + gateway.baseUrl());
        }
    }

    /**
     * Issue 24: with neither PUBLIC_URL nor ALLOWED_HOSTS, the Host a request names is the asker's
     * word, and the served script would send keys there: its default gateway is left empty, saying
     * why. A Host that ALLOWED_HOSTS passed is still the default.
     */
    @Test
    void theServedSetUpScriptTakesNoDefaultFromAnUncheckedHost() throws Exception {
        String get = "GET /claude_proxy.sh HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n";
        try (EmbeddedGateway open = EmbeddedGateway.start("", Map.of())) {
            String served = RawHttp.send(open.port(), String.format(get, "attacker.example"));
            assertTrue(served.startsWith("HTTP/1.1 200 "), served);
            assertFalse(served.contains("attacker.example"), served);
            assertTrue(served.contains("\n# No default gateway: the gateway that served this script has neither PUBLIC_URL nor"
                    + " ALLOWED_HOSTS\n") && served.contains("\nDEFAULT_GATEWAY=\"\"\n"), served);
        }
        try (EmbeddedGateway checked = EmbeddedGateway.start("", Map.of("ALLOWED_HOSTS", "localhost"))) {
            String served = RawHttp.send(checked.port(), String.format(get, "localhost:" + checked.port()));
            assertTrue(served.contains("\nDEFAULT_GATEWAY=\"http://localhost:" + checked.port() + "\"\n"), served);
        }
    }

    private static Optional<InetAddress> externalAddress() throws IOException {
        return NetworkInterface.networkInterfaces().filter(nic -> {
            try {
                return nic.isUp() && !nic.isLoopback();
            } catch (IOException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(address -> !address.isLoopbackAddress()
                && !address.isLinkLocalAddress()).findFirst();
    }

    /** A POST with a Host header of the test's choosing (the JDK client will not send one). */
    private static String rawPost(int port, String host, String path) throws IOException {
        return RawHttp.send(port, "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY);
    }
}
