package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.LogCapture;
import java.time.Duration;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.Stream;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.NettyWrapper;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 25, point 4: {@code CLIENT_AUTH=jwt} takes the tokens a real OpenID Connect provider
 * (mock-oauth2-server) signs, as Claude Code's {@code apiKeyHelper} would pass them, and refuses
 * every other token with a 401 that says why and is not to be retried.
 */
class IdentityTokensTest {

    private static final String AUDIENCE = "claude-proxy";
    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";
    private static final String BODY = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static MockOAuth2Server idp;
    private static GatewayHarness harness;
    private static String issuer;

    @BeforeAll
    static void start() {
        // Its Netty server: OkHttp 5's MockWebServer, its default, would clash with the SDK's OkHttp 4.
        idp = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(), Set.of(),
                new NettyWrapper()));
        idp.start();
        issuer = idp.issuerUrl("corp").toString();
        harness = new GatewayHarness("", Map.of("CLIENT_AUTH", "jwt", "JWT_ISSUER", issuer, "JWT_AUDIENCE", AUDIENCE,
                "JWT_GROUPS_CLAIM", "realm_access.roles"));
    }

    @AfterAll
    static void stop() {
        harness.close();
        idp.shutdown();
    }

    @BeforeEach
    void reset() {
        harness.upstream.resetAll();
        harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
    }

    @Test
    void aTokenTheProviderSignedForTheGatewayIsTakenAndNamesTheUser() throws Exception {
        String token = idp.issueToken("corp", "u-1234", AUDIENCE, Map.of("email", "ada@corp.example",
                "realm_access", Map.of("roles", List.of("eng"))), 3600).serialize();
        try (LogCapture log = LogCapture.of("dev.claudeproxy.requests", Level.INFO)) {
            HttpResponse<String> answer = send("Authorization", "Bearer " + token);
            assertEquals(200, answer.statusCode(), answer.body());
            String requestId = answer.headers().firstValue("request-id").orElseThrow();
            assertTrue(log.await(line -> line.contains(requestId), Duration.ofSeconds(10)).contains(" user=ada@corp.example "),
                    log.messages().toString());
        }
        // The token is the gateway's credential: it never goes upstream.
        harness.upstream.verify(1, postRequestedFor(anyUrl()));
        assertFalse(harness.upstream.getAllServeEvents().get(0).getRequest().containsHeader("Authorization"));
        // Claude Code's apiKeyHelper value also arrives as x-api-key.
        assertEquals(200, send("x-api-key", token).statusCode());
    }

    static Stream<Arguments> refusedTokens() throws Exception {
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("stranger").generate();
        JWTClaimsSet rightClaims = new JWTClaimsSet.Builder().issuer(issuerFor()).subject("u-1").audience(AUDIENCE)
                .claim("email", "eve@corp.example").expirationTime(Date.from(Instant.now().plusSeconds(600))).build();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("stranger").build(), rightClaims);
        forged.sign(new RSASSASigner(stranger));
        return Stream.of(
                Arguments.of("no token", null, "needs a token from the company's identity provider"),
                Arguments.of("not a JWT", "sk-ant-api03-something", "not a signed JWT"),
                Arguments.of("alg none", new PlainJWT(rightClaims).serialize(), "the token is not signed"),
                Arguments.of("another key", forged.serialize(), "refused"),
                Arguments.of("expired", idp.issueToken("corp", "u-1", AUDIENCE, Map.of("email", "eve@corp.example"), -600)
                        .serialize(), "Expired"),
                Arguments.of("another audience", idp.issueToken("corp", "u-1", "some-other-app", Map.of(), 3600).serialize(),
                        "aud claim rejected"),
                Arguments.of("another issuer", idp.issueToken("elsewhere", "u-1", AUDIENCE, Map.of(), 3600).serialize(),
                        "refused"));
    }

    private static String issuerFor() {
        return idp.issuerUrl("corp").toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void everyOtherTokenIsRefusedSayingWhy(String name, String token, String reason) throws Exception {
        HttpResponse<String> answer = token == null ? send() : send("Authorization", "Bearer " + token);
        HostileInputTest.assertAnthropicError(answer, 401, "authentication_error");
        assertTrue(answer.body().contains(reason), answer.body());
        assertEquals("false", answer.headers().firstValue("x-should-retry").orElse(""), "Claude Code must not retry");
        if (token != null) {
            assertFalse(answer.body().contains(token), "the token is never echoed");
        }
        harness.upstream.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void aProviderThatCannotBeReachedIsTheGatewaysFailureNotTheUsers() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("CLIENT_AUTH", "jwt",
                "JWT_ISSUER", "http://127.0.0.1:" + closed + "/corp", "JWT_AUDIENCE", AUDIENCE))) {
            String token = idp.issueToken("corp", "u-1", AUDIENCE, Map.of(), 3600).serialize();
            HttpResponse<String> answer = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
                    + harness.route("/v1", "m") + "/v1/messages")).header("content-type", "application/json")
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(BODY)).build(),
                    HttpResponse.BodyHandlers.ofString());
            HostileInputTest.assertAnthropicError(answer, 502, "api_error");
            assertTrue(answer.body().contains("keys could not be fetched"), answer.body());
        }
    }

    /**
     * Issue 25, point 5: {@code GROUP_MODELS} bounds the models each group may use; a model out of
     * bounds is a 400 naming what the user may use (never 401 or 403, which Claude Code reads as
     * "sign in again"), and {@code /v1/models} lists only what the user may use.
     */
    @Test
    void aGroupUsesOnlyTheModelsItIsGiven() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("CLIENT_AUTH", "jwt", "JWT_ISSUER", issuer,
                "JWT_AUDIENCE", AUDIENCE, "GROUP_MODELS", "eng=127.0.0.1/*,*=127.0.0.1/cheap-* 127.0.0.1/tiny"))) {
            String engineer = idp.issueToken("corp", "u-1", AUDIENCE, Map.of("email", "ada@corp.example",
                    "groups", List.of("eng")), 3600).serialize();
            String contractor = idp.issueToken("corp", "u-2", AUDIENCE, Map.of("email", "cy@corp.example",
                    "groups", List.of("contractors")), 3600).serialize();
            assertEquals(200, call(gateway, "big", engineer).statusCode());
            HttpResponse<String> refused = call(gateway, "big", contractor);
            HostileInputTest.assertAnthropicError(refused, 400, "invalid_request_error");
            assertTrue(refused.body().contains("127.0.0.1/big is not one your groups (contractors) may use here; they may use"
                    + " 127.0.0.1/cheap-*, 127.0.0.1/tiny"), refused.body());
            assertEquals(200, call(gateway, "cheap-1", contractor).statusCode());
            harness.upstream.verify(2, postRequestedFor(anyUrl()));
            assertEquals(List.of("claude-big"), modelIds(gateway, "big", engineer));
            assertEquals(List.of(), modelIds(gateway, "big", contractor));
            assertEquals(List.of("claude-cheap-1"), modelIds(gateway, "cheap-1", contractor));
        }
    }

    /** A Claude Code request (a claude- model) on the route of {@code model}: the path's model is the one used. */
    private static HttpResponse<String> call(EmbeddedGateway gateway, String model, String token) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + harness.route("/v1", model)
                        + "/v1/messages")).header("content-type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(BODY.replace("\"model\":\"m\"", "\"model\":\"claude-sonnet-4-5\"")))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> modelIds(EmbeddedGateway gateway, String model, String token) throws Exception {
        HttpResponse<String> list = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
                + harness.route("/v1", model) + "/v1/models")).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, list.statusCode(), list.body());
        return GatewayHarness.json(list.body()).getJsonArray("data").stream()
                .map(entry -> entry.asJsonObject().getString("id")).toList();
    }

    private static HttpResponse<String> send(String... headers) throws Exception {
        return harness.post(harness.route("/v1", "m") + "/v1/messages", BODY, headers);
    }
}
