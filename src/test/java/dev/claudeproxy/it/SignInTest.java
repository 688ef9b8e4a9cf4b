package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.claudeproxy.EmbeddedGateway;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import jakarta.json.JsonObject;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.NettyWrapper;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 25, points 1 to 3: Claude Code's gateway sign-in, played here as the CLI and the browser
 * play it (the protocol of {@code ../shared/GATEWAY-SIGN-IN.md}), against a real OpenID Connect
 * provider (mock-oauth2-server): discovery, device authorization, the code page, the provider's
 * authorization code with PKCE, the gateway's own session token, refresh through the provider, and
 * a user the provider stops refreshing losing every session at once.
 */
class SignInTest {

    private static final String CLIENT_ID = "claude-proxy";
    private static final String BODY = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";
    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

    private static MockOAuth2Server idp;
    private static WireMockServer collector;
    private static GatewayHarness harness;
    private static String base;

    @BeforeAll
    static void start() {
        idp = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(), Set.of(),
                new NettyWrapper()));
        idp.start();
        collector = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        collector.start();
        collector.stubFor(post(urlPathMatching("/v1/.*")).willReturn(okJson("{}")));
        harness = new GatewayHarness("", Map.of("CLIENT_AUTH", "sso", "SSO_ISSUER", idp.issuerUrl("corp").toString(),
                "OTLP_ENDPOINT", "http://127.0.0.1:" + collector.port() + "/", "OTLP_HEADERS", "Authorization=Bearer collector-key",
                "SSO_CLIENT_ID", CLIENT_ID, "SSO_CLIENT_SECRET", "the-client-secret",
                "SESSION_SECRET", "a-session-secret-of-at-least-thirty-two-bytes", "MANAGED_SETTINGS",
                "{\"eng\": {\"env\": {\"CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY\": \"1\"}, \"availableModels\": [\"sonnet\","
                        + " \"haiku\"]}, \"*\": {\"permissions\": {\"deny\": [\"WebFetch\"]}}}"));
        harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
        base = harness.gateway.baseUrl();
    }

    @AfterAll
    static void stop() {
        harness.close();
        idp.shutdown();
        collector.stop();
    }

    @Test
    void discoveryNamesTheEndpointsAtTheGatewaysOwnOrigin() throws Exception {
        JsonObject discovery = GatewayHarness.json(get(base + "/.well-known/oauth-authorization-server").body());
        assertEquals(base, discovery.getString("issuer"));
        assertEquals(base + "/oauth/device_authorization", discovery.getString("device_authorization_endpoint"));
        assertEquals(base + "/oauth/token", discovery.getString("token_endpoint"));
        assertEquals(1, discovery.getInt("gateway_protocol_version"));
    }

    @Test
    void aDeveloperSignsInAndCallsTheApiAsThemselves() throws Exception {
        JsonObject device = deviceAuthorization();
        String deviceCode = device.getString("device_code");
        assertTrue(device.getString("user_code").matches("[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}"), device.toString());
        HttpResponse<String> pending = poll(deviceCode);
        assertEquals(400, pending.statusCode());
        assertEquals("authorization_pending", GatewayHarness.json(pending.body()).getString("error"));
        assertEquals("slow_down", GatewayHarness.json(poll(deviceCode).body()).getString("error"), "polled too soon");

        idp.enqueueCallback(new DefaultOAuth2TokenCallback("corp", "u-ada", "JWT", List.of(CLIENT_ID),
                Map.of("email", "ada@corp.example", "groups", List.of("eng")), 3600));
        HttpResponse<String> done = new Browser().signIn(device);
        assertEquals(200, done.statusCode(), done.body());
        assertTrue(done.body().contains("Signed in as ada@corp.example"), done.body());

        JsonObject tokens = GatewayHarness.json(poll(deviceCode).body());
        assertEquals("ada@corp.example", tokens.getString("email"));
        assertTrue(tokens.getInt("expires_in") > 0);
        String accessToken = tokens.getString("access_token");
        assertEquals("expired_token", GatewayHarness.json(poll(deviceCode).body()).getString("error"), "single use");

        assertEquals(200, messages(accessToken).statusCode());
        harness.upstream.verify(1, postRequestedFor(anyUrl()));
        assertFalse(harness.upstream.getAllServeEvents().get(0).getRequest().containsHeader("Authorization"),
                "the session token never goes upstream");

        // Point 6: the settings of the user's group, with the checksum Claude Code computes (keys sorted, no spaces).
        HttpResponse<String> managed = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/managed/settings"))
                .header("Authorization", "Bearer " + accessToken).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, managed.statusCode(), managed.body());
        String checksum = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("{\"availableModels\":[\"sonnet\",\"haiku\"],\"env\":{\"CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY\":\"1\"}}"
                        .getBytes(StandardCharsets.UTF_8)));
        JsonObject policy = GatewayHarness.json(managed.body());
        assertEquals("group:eng", policy.getString("uuid"));
        assertEquals(checksum, policy.getString("checksum"));
        assertEquals("1", policy.getJsonObject("settings").getJsonObject("env").getString("CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"));
        assertEquals("\"" + checksum + "\"", managed.headers().firstValue("ETag").orElse(""));
        assertEquals(304, GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/managed/settings"))
                .header("Authorization", "Bearer " + accessToken).header("If-None-Match", "\"" + checksum + "\"").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());

        // Point 7: Claude Code's own telemetry is taken from a signed-in user (a 404 would log an error every flush),
        // stamped with who they are (a value the client forged is replaced) and sent on to the operator's collector,
        // with the collector's key and never the session.
        Resource forged = Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("enduser.id")
                .setValue(AnyValue.newBuilder().setStringValue("mallory"))).addAttributes(KeyValue.newBuilder()
                .setKey("session.id").setValue(AnyValue.newBuilder().setStringValue("s-1"))).build();
        Map<String, byte[]> exports = Map.of(
                "metrics", ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(forged)).build().toByteArray(),
                "logs", ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(forged))
                        .build().toByteArray(),
                "traces", ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(forged)).build().toByteArray());
        for (Map.Entry<String, byte[]> export : exports.entrySet()) {
            HttpResponse<String> taken = otlp(export.getKey(), "application/x-protobuf", export.getValue(), accessToken);
            assertEquals(200, taken.statusCode(), export.getKey() + ": " + taken.body());
            HttpResponse<String> anonymous = otlp(export.getKey(), "application/x-protobuf", export.getValue(), null);
            assertEquals(401, anonymous.statusCode(), export.getKey() + ": " + anonymous.body());
        }
        HttpResponse<String> unreadable = otlp("metrics", "application/x-protobuf", new byte[] {(byte) 0xff, 1, 2},
                accessToken);
        HostileInputTest.assertAnthropicError(unreadable, 400, "invalid_request_error");
        assertEquals(200, otlp("logs", "application/json", ("{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":"
                + "\"enduser.id\",\"value\":{\"stringValue\":\"mallory\"}}]},\"scopeLogs\":[]}]}").getBytes(
                StandardCharsets.UTF_8), accessToken).statusCode());
        List<LoggedRequest> forwarded = await(4);
        for (LoggedRequest sent : forwarded) {
            assertEquals("Bearer collector-key", sent.getHeader("Authorization"), "the collector's key, never the session");
            List<KeyValue> attributes = switch (sent.getUrl()) {
                case "/v1/metrics" -> ExportMetricsServiceRequest.parseFrom(sent.getBody()).getResourceMetrics(0)
                        .getResource().getAttributesList();
                case "/v1/traces" -> ExportTraceServiceRequest.parseFrom(sent.getBody()).getResourceSpans(0)
                        .getResource().getAttributesList();
                default -> List.of();
            };
            if (sent.getUrl().equals("/v1/logs") && sent.getHeader("Content-Type").startsWith("application/json")) {
                String json = sent.getBodyAsString();
                assertTrue(json.contains("ada@corp.example") && !json.contains("mallory") && json.contains("\"eng\""), json);
                continue;
            }
            if (sent.getUrl().equals("/v1/logs")) {
                attributes = ExportLogsServiceRequest.parseFrom(sent.getBody()).getResourceLogs(0).getResource()
                        .getAttributesList();
            }
            assertEquals(List.of("session.id", "enduser.id", "enduser.groups"),
                    attributes.stream().map(KeyValue::getKey).toList(), sent.getUrl());
            assertEquals("ada@corp.example", attributes.get(1).getValue().getStringValue());
            assertEquals("eng", attributes.get(2).getValue().getArrayValue().getValues(0).getStringValue());
        }

        // A refresh goes through the provider and gives a new session.
        String refreshToken = tokens.getString("refresh_token");
        JsonObject refreshed = GatewayHarness.json(form("/oauth/token", "grant_type=refresh_token&refresh_token="
                + encode(refreshToken)).body());
        assertTrue(refreshed.containsKey("access_token"), refreshed.toString());
        assertEquals(200, messages(refreshed.getString("access_token")).statusCode());

        // Claude Code's sign-out revokes the session: it is refused from then on, not when it expires.
        assertEquals(200, form("/oauth/revoke", "token=" + encode(accessToken)).statusCode());
        HttpResponse<String> signedOut = messages(accessToken);
        HostileInputTest.assertAnthropicError(signedOut, 401, "authentication_error");
        assertEquals("false", signedOut.headers().firstValue("x-should-retry").orElse(""));
        assertTrue(signedOut.body().contains("signed out"), signedOut.body());
    }

    @Test
    void aSignInEndsOnlyInTheBrowserThatStartedIt() throws Exception {
        JsonObject device = deviceAuthorization();
        Browser started = new Browser();
        HttpResponse<String> toIdp = started.enterCode(device.getString("user_code"));
        assertEquals(302, toIdp.statusCode(), toIdp.body());
        String location = toIdp.headers().firstValue("Location").orElseThrow();
        assertTrue(location.contains("code_challenge_method=S256") && location.contains("nonce="), location);
        // The provider's answer is opened in another browser, which holds no cookie of this sign-in.
        HttpResponse<String> elsewhere = new Browser().follow(new Browser().follow(location).headers()
                .firstValue("Location").orElseThrow());
        assertEquals(400, elsewhere.statusCode());
        assertTrue(elsewhere.body().contains("different browser"), elsewhere.body());
        assertEquals("access_denied", GatewayHarness.json(poll(device.getString("device_code")).body()).getString("error"));
    }

    @Test
    void theCodePageTakesCodesOnlyFromItself() throws Exception {
        JsonObject device = deviceAuthorization();
        HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/device"))
                .header("content-type", "application/x-www-form-urlencoded").header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("user_code=" + device.getString("user_code"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forged.statusCode());
        HttpResponse<String> unknown = new Browser().enterCode("BBBB-BBBB");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("not recognized"), unknown.body());
    }

    /** Hostile input on the sign-in endpoints: each gets its clear refusal, and none reaches the provider or a session. */
    @Test
    void forgedAndReplayedSignInStepsAreRefused() throws Exception {
        HttpResponse<String> forgedState = new Browser().follow(base + "/oauth/callback?code=anything&state=forged");
        assertEquals(400, forgedState.statusCode());
        assertTrue(forgedState.body().contains("expired or was already used"), forgedState.body());
        assertEquals("expired_token", GatewayHarness.json(poll("a-device-code-never-issued").body()).getString("error"));
        assertEquals("unsupported_grant_type", GatewayHarness.json(form("/oauth/token",
                "grant_type=password&username=a&password=b").body()).getString("error"));
        assertEquals("invalid_request", GatewayHarness.json(form("/oauth/token", "grant_type="
                + encode("urn:ietf:params:oauth:grant-type:device_code")).body()).getString("error"));
        // The code page escapes what it is given.
        HttpResponse<String> page = new Browser().follow(base + "/device?user_code=" + encode("\"><script>alert(1)</script>"));
        assertFalse(page.body().contains("<script>"), page.body());
    }

    /** A flood of sign-ins from one address is slowed, as Claude Code expects: 429 slow_down (on a gateway of its own). */
    @Test
    void aFloodOfSignInsFromOneAddressIsSlowed() throws Exception {
        try (EmbeddedGateway flooded = EmbeddedGateway.start("", Map.of("CLIENT_AUTH", "sso", "SSO_ISSUER",
                idp.issuerUrl("corp").toString(), "SSO_CLIENT_ID", CLIENT_ID, "SSO_CLIENT_SECRET", "the-client-secret"))) {
            HttpResponse<String> last = null;
            // 30 a minute: 61 reach past the limit even when a minute turns in between.
            for (int i = 0; i < 61 && (last == null || last.statusCode() == 200); i++) {
                last = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(flooded.baseUrl() + "/oauth/device_authorization"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("surface=claude_code")).build(), HttpResponse.BodyHandlers.ofString());
            }
            assertEquals(429, last.statusCode(), last.body());
            assertEquals("slow_down", GatewayHarness.json(last.body()).getString("error"));
        }
    }

    /** Issue 25, point 2: a user outside SSO_ALLOWED_GROUPS is refused at sign-in; Claude Code is told it was denied. */
    @Test
    void aUserOutsideTheAllowedGroupsCannotSignIn() throws Exception {
        try (EmbeddedGateway strict = EmbeddedGateway.start("", Map.of("CLIENT_AUTH", "sso", "SSO_ISSUER",
                idp.issuerUrl("corp").toString(), "SSO_CLIENT_ID", CLIENT_ID, "SSO_CLIENT_SECRET", "the-client-secret",
                "SSO_ALLOWED_GROUPS", "eng"))) {
            String gateway = strict.baseUrl();
            for (String group : List.of("sales", "eng")) {
                HttpResponse<String> started = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway
                        + "/oauth/device_authorization")).header("content-type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("surface=claude_code")).build(), HttpResponse.BodyHandlers.ofString());
                JsonObject device = GatewayHarness.json(started.body());
                idp.enqueueCallback(new DefaultOAuth2TokenCallback("corp", "u-" + group, "JWT", List.of(CLIENT_ID),
                        Map.of("email", group + "@corp.example", "groups", List.of(group)), 3600));
                HttpResponse<String> done = new Browser(gateway).signIn(device);
                HttpResponse<String> polled = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/oauth/token"))
                        .header("content-type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
                                "grant_type=" + encode("urn:ietf:params:oauth:grant-type:device_code") + "&device_code="
                                        + encode(device.getString("device_code")))).build(), HttpResponse.BodyHandlers.ofString());
                if (group.equals("sales")) {
                    assertEquals(403, done.statusCode(), done.body());
                    assertTrue(done.body().contains("none of the groups allowed"), done.body());
                    assertEquals("access_denied", GatewayHarness.json(polled.body()).getString("error"));
                } else {
                    assertEquals(200, done.statusCode(), done.body());
                    assertTrue(GatewayHarness.json(polled.body()).containsKey("access_token"), polled.body());
                }
            }
        }
    }

    @Test
    void anApiCallWithoutASessionIsToldToSignIn() throws Exception {
        HttpResponse<String> answer = messages("not-a-session");
        HostileInputTest.assertAnthropicError(answer, 401, "authentication_error");
        assertEquals("false", answer.headers().firstValue("x-should-retry").orElse(""));
    }

    /** A browser: cookies kept, redirects followed by hand (the test looks at each). */
    private static final class Browser {
        private final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        private final String gateway;

        Browser() {
            this(base);
        }

        Browser(String gateway) {
            this.gateway = gateway;
        }

        HttpResponse<String> follow(String url) throws Exception {
            return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> enterCode(String userCode) throws Exception {
            return client.send(HttpRequest.newBuilder(URI.create(gateway + "/device"))
                    .header("content-type", "application/x-www-form-urlencoded").header("Origin", gateway)
                    .POST(HttpRequest.BodyPublishers.ofString("user_code=" + encode(userCode))).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** Opens the code page, continues, signs in at the provider and comes back. */
        HttpResponse<String> signIn(JsonObject device) throws Exception {
            HttpResponse<String> page = follow(device.getString("verification_uri_complete"));
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains(device.getString("user_code")), page.body());
            HttpResponse<String> toIdp = enterCode(device.getString("user_code"));
            assertEquals(302, toIdp.statusCode(), toIdp.body());
            HttpResponse<String> back = follow(toIdp.headers().firstValue("Location").orElseThrow());
            assertEquals(302, back.statusCode(), back.body());
            return follow(back.headers().firstValue("Location").orElseThrow());
        }
    }

    /** A client that never finishes its form: the forms are read as the API's bodies are, holding no thread. */
    @Test
    void slowSignInFormsHoldNoThreadAndEndIn408() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.withContainerThreads(4, Map.of("CLIENT_AUTH", "sso",
                "SSO_ISSUER", idp.issuerUrl("corp").toString(), "SSO_CLIENT_ID", CLIENT_ID,
                "SSO_CLIENT_SECRET", "the-client-secret", "CLIENT_BODY_TIMEOUT_SECONDS", "3"))) {
            List<Socket> slow = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Socket socket = new Socket("127.0.0.1", gateway.port());
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(("POST " + List.of("/oauth/token", "/oauth/revoke", "/oauth/device_authorization")
                        .get(i % 3) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Content-Length: 5000\r\n\r\ngrant_type=").getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            // Twelve forms arriving, four container threads: everyone else is still served.
            HttpResponse<String> discovery = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
                    + "/.well-known/oauth-authorization-server")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, discovery.statusCode());
            for (Socket socket : slow) {
                String answer = new String(socket.getInputStream().readNBytes(400), StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                socket.close();
            }
        }
    }

    /** The collector's posts, once {@code count} have arrived (the gateway sends them off the request). */
    private static List<LoggedRequest> await(int count) throws InterruptedException {
        for (int i = 0; i < 200 && collector.findAll(postRequestedFor(urlPathMatching("/v1/.*"))).size() < count; i++) {
            Thread.sleep(50);
        }
        List<LoggedRequest> sent = collector.findAll(postRequestedFor(urlPathMatching("/v1/.*")));
        assertEquals(count, sent.size());
        return sent;
    }

    private static HttpResponse<String> otlp(String signal, String contentType, byte[] export, String token)
            throws Exception {
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(base + "/v1/" + signal)).header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(export));
        if (token != null) {
            post.header("Authorization", "Bearer " + token);
        }
        return GatewayHarness.HTTP.send(post.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject deviceAuthorization() throws Exception {
        HttpResponse<String> answer = form("/oauth/device_authorization", "surface=claude_code");
        assertEquals(200, answer.statusCode(), answer.body());
        return GatewayHarness.json(answer.body());
    }

    private static HttpResponse<String> poll(String deviceCode) throws Exception {
        return form("/oauth/token", "grant_type=" + encode("urn:ietf:params:oauth:grant-type:device_code")
                + "&device_code=" + encode(deviceCode));
    }

    private static HttpResponse<String> form(String path, String body) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> messages(String token) throws Exception {
        return harness.post(harness.route("/v1", "m") + "/v1/messages", BODY, "Authorization", "Bearer " + token);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
