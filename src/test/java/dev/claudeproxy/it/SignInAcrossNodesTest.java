package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.Postgres;
import dev.claudeproxy.identity.Identity;
import dev.claudeproxy.identity.SessionTokens;
import jakarta.json.JsonObject;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.NettyWrapper;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 25: a session refused on one node is refused on every node (the revocations shared through
 * the ledger's database), and a node started later knows the revocations still in force; a
 * sign-in's steps may each reach any node (the sign-ins under way in the same database), and a
 * refresh the provider refuses, on any node, refuses that user everywhere.
 */
class SignInAcrossNodesTest {

    private static final String SECRET = "a-session-secret-of-at-least-thirty-two-bytes";

    private static Postgres postgres;
    private static MockOAuth2Server idp;
    private static Map<String, String> settings;
    private static EmbeddedGateway one;
    private static EmbeddedGateway two;

    @BeforeAll
    static void start() throws Exception {
        postgres = Postgres.start();
        idp = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(), java.util.Set.of(),
                new NettyWrapper()));
        idp.start();
        settings = Map.of("CLIENT_AUTH", "sso", "SSO_ISSUER", idp.issuerUrl("corp").toString(), "SSO_CLIENT_ID", "claude-proxy",
                "SSO_CLIENT_SECRET", "the-client-secret", "SESSION_SECRET", SECRET,
                "LEDGER_JDBC_URL", postgres.createDatabase("gateway"));
        one = EmbeddedGateway.start("", settings);
        two = EmbeddedGateway.start("", settings);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable each : new AutoCloseable[] {one, two}) {
            if (each != null) {
                each.close();
            }
        }
        if (idp != null) {
            idp.shutdown();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /** A session token as any node issues it (the nodes share {@code SESSION_SECRET}). */
    private static String session(String user) {
        return new SessionTokens(SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(60), Clock.systemUTC())
                .issue("u-" + user, new Identity(user, List.of()), Optional.empty()).token();
    }

    /** What a node answers the token for: {@code /managed/settings} checks it (404: valid, no settings; 401: refused). */
    private static int check(EmbeddedGateway node, String token) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/managed/settings"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static int awaitRefused(EmbeddedGateway node, String token) throws Exception {
        int status = check(node, token);
        for (int i = 0; i < 100 && status != 401; i++) {
            Thread.sleep(100);
            status = check(node, token);
        }
        return status;
    }

    @Test
    void aSignOutOnOneNodeIsRefusedOnEveryNodeAndOnANodeStartedLater() throws Exception {
        String token = session("ada");
        assertEquals(404, check(one, token), "valid on node one");
        assertEquals(404, check(two, token), "and on node two");
        HttpResponse<String> revoked = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(one.baseUrl() + "/oauth/revoke"))
                .header("content-type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
                        "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, revoked.statusCode());
        assertEquals(401, check(one, token), "refused at once where it was signed out");
        assertEquals(401, awaitRefused(two, token), "refused on node two within its next read");
        try (EmbeddedGateway three = EmbeddedGateway.start("", settings)) {
            assertEquals(401, awaitRefused(three, token), "a node started later reads the revocations in force");
            assertEquals(404, check(three, session("bob")), "and only those");
        }
    }

    /**
     * Each step on another node, as a load balancer may send them: Claude Code starts on node one
     * and polls node two; the browser enters the code on node two and comes back from the provider
     * to node one. The tokens are handed out once, whichever node is asked; the refresh token works
     * on either node, and once the provider refuses it (the user removed), that user's sessions are
     * refused on both. Failed before: node two knew no sign-in node one started.
     */
    @Test
    void eachStepOfASignInMayReachAnyNode() throws Exception {
        RemovableUser ada = new RemovableUser(new DefaultOAuth2TokenCallback("corp", "u-ada", "JWT", List.of("claude-proxy"),
                Map.of("email", "ada@corp.example"), 3600));
        idp.enqueueCallback(ada);
        JsonObject device = GatewayHarness.json(form(one, "/oauth/device_authorization", "surface=claude_code").body());
        String deviceCode = device.getString("device_code");
        assertEquals("authorization_pending", GatewayHarness.json(poll(two, deviceCode).body()).getString("error"));

        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> toIdp = browser.send(HttpRequest.newBuilder(URI.create(two.baseUrl() + "/device"))
                .header("content-type", "application/x-www-form-urlencoded").header("Origin", two.baseUrl())
                .POST(HttpRequest.BodyPublishers.ofString("user_code=" + encode(device.getString("user_code")))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, toIdp.statusCode(), "node two knows the code node one gave: " + toIdp.body());
        HttpResponse<String> back = browser.send(HttpRequest.newBuilder(URI.create(toIdp.headers().firstValue("Location")
                .orElseThrow())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, back.statusCode(), back.body());
        // The balancer sends the provider's return to node one (the nodes share one origin behind it).
        String callback = back.headers().firstValue("Location").orElseThrow().replace(two.baseUrl(), one.baseUrl());
        HttpResponse<String> done = browser.send(HttpRequest.newBuilder(URI.create(callback)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, done.statusCode(), done.body());
        assertTrue(done.body().contains("Signed in as ada@corp.example"), done.body());

        HttpResponse<String> granted = poll(two, deviceCode);
        assertEquals(200, granted.statusCode(), granted.body());
        JsonObject tokens = GatewayHarness.json(granted.body());
        assertEquals("expired_token", GatewayHarness.json(poll(one, deviceCode).body()).getString("error"),
                "taken once, whichever node is asked");
        String refreshToken = tokens.getString("refresh_token");
        JsonObject refreshed = GatewayHarness.json(form(two, "/oauth/token", "grant_type=refresh_token&refresh_token="
                + encode(refreshToken)).body());
        String session = refreshed.getString("access_token");
        assertEquals(404, check(one, session), "the refreshed session holds on node one");

        ada.remove();
        HttpResponse<String> refused = form(one, "/oauth/token", "grant_type=refresh_token&refresh_token="
                + encode(refreshed.getString("refresh_token")));
        assertEquals(401, refused.statusCode(), refused.body());
        assertEquals("invalid_grant", GatewayHarness.json(refused.body()).getString("error"));
        assertEquals(401, check(one, session), "the user's sessions are refused where the provider refused them");
        assertEquals(401, awaitRefused(two, tokens.getString("access_token")), "and on node two");
    }

    /** A refresh token the gateway did not seal (the provider's own, or made up) is refused: it names no user. */
    @Test
    void aRefreshTokenTheGatewayDidNotIssueIsRefused() throws Exception {
        HttpResponse<String> refused = form(one, "/oauth/token", "grant_type=refresh_token&refresh_token=made-up");
        assertEquals(401, refused.statusCode(), refused.body());
        assertEquals("invalid_grant", GatewayHarness.json(refused.body()).getString("error"));
    }

    /** The shared store out of reach: a sign-in is refused for now, in OAuth's words to Claude Code, never a stack trace. */
    @Test
    void aSignInWhileTheDatabaseIsOutIsRefusedForNow() throws Exception {
        postgres.pause();
        try {
            HttpResponse<String> refused = form(one, "/oauth/device_authorization", "surface=claude_code");
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("temporarily_unavailable", GatewayHarness.json(refused.body()).getString("error"));
            HttpResponse<String> polled = poll(two, "any-device-code");
            assertEquals(503, polled.statusCode(), polled.body());
        } finally {
            postgres.resume();
        }
        assertEquals(200, form(one, "/oauth/device_authorization", "surface=claude_code").statusCode(), "and served once back");
    }

    private static HttpResponse<String> poll(EmbeddedGateway node, String deviceCode) throws Exception {
        return form(node, "/oauth/token", "grant_type=" + encode("urn:ietf:params:oauth:grant-type:device_code")
                + "&device_code=" + encode(deviceCode));
    }

    private static HttpResponse<String> form(EmbeddedGateway node, String path, String body) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
