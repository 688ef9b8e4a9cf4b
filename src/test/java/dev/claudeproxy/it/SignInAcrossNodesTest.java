package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.Postgres;
import dev.claudeproxy.identity.Identity;
import dev.claudeproxy.identity.SessionTokens;
import java.net.URI;
import java.net.URLEncoder;
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
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 25: a session refused on one node is refused on every node (the revocations shared through
 * the ledger's database), and a node started later knows the revocations still in force.
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
}
