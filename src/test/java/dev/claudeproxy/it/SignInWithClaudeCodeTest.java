package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.LogCapture;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.time.Duration;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.NettyWrapper;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25: the real Claude Code CLI ({@link ClaudeCodeCli#PINNED}) signs in to the gateway with
 * {@code claude auth login --gateway-json} (the line protocol of its "Cloud gateway" sign-in), the
 * test playing the browser against the gateway's code page and a real OpenID Connect provider
 * (mock-oauth2-server); then {@code claude -p} takes the managed settings of the user's group and
 * reaches the stand-in upstream as that user.
 */
class SignInWithClaudeCodeTest {

    private static final String CLIENT_ID = "claude-proxy";
    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"Hello from the gateway.\"}}],\"usage\":{\"prompt_tokens\":3,"
            + "\"completion_tokens\":4}}";

    @TempDir
    static Path scratch;

    private static String claude;
    private static MockOAuth2Server idp;
    private static WireMockServer upstream;
    private static EmbeddedGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("node", "npm");
        claude = ClaudeCodeCli.install().toString();
        idp = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(), Set.of(),
                new NettyWrapper()));
        idp.start();
        upstream = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlPathEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
        // Signed-in Claude Code calls the gateway's own /v1/messages: the default route serves it. The WAR's usual
        // context path: Claude Code keeps the path of the gateway URL it is given.
        gateway = EmbeddedGateway.start("/claude-proxy", Map.of("CLIENT_AUTH", "sso", "SSO_ISSUER", idp.issuerUrl("corp").toString(),
                "SSO_CLIENT_ID", CLIENT_ID, "SSO_CLIENT_SECRET", "the-client-secret",
                "SESSION_SECRET", "a-session-secret-of-at-least-thirty-two-bytes", "SESSION_TTL_MINUTES", "1",
                "DEFAULT_BASE_URL", "http://127.0.0.1:" + upstream.port() + "/v1", "DEFAULT_MODEL_NAME", "gpt-4.1",
                "MANAGED_SETTINGS", "{\"*\": {\"env\": {\"CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY\": \"1\"}}}"));
        Path config = Files.createDirectories(scratch.resolve("home/.claude"));
        Files.writeString(config.resolve("settings.json"), "{\"forceLoginMethod\":\"gateway\",\"forceLoginGatewayUrl\":\""
                + gateway.baseUrl() + "\"}");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.stop();
        }
        if (idp != null) {
            idp.shutdown();
        }
    }

    @Test
    void claudeCodeSignsInCallsAsThatUserRefreshesAndIsOutOnceRemovedAtTheProvider() throws Exception {
        RemovableUser ada = new RemovableUser(new DefaultOAuth2TokenCallback("corp", "u-ada", "JWT", List.of(CLIENT_ID),
                Map.of("email", "ada@corp.example", "groups", List.of("eng")), 3600));
        idp.enqueueCallback(ada);
        ProcessBuilder login = new ProcessBuilder(claude, "auth", "login", "--gateway-json")
                .redirectError(scratch.resolve("login.err").toFile());
        environment(login);
        Process process = login.start();
        List<String> states = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             OutputStream answers = process.getOutputStream()) {
            Thread watchdog = new Thread(() -> {
                try {
                    if (!process.waitFor(3, TimeUnit.MINUTES)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                }
            });
            watchdog.setDaemon(true);
            watchdog.start();
            for (String line; (line = lines.readLine()) != null; ) {
                if (!line.startsWith("{")) {
                    continue;
                }
                JsonObject question = Json.createReader(new java.io.StringReader(line)).readObject();
                String state = question.getString("state", "");
                states.add(state);
                switch (state) {
                    case "url_input", "trust_prompt", "confirm_account" -> {
                        answers.write((Json.createObjectBuilder().add("state", state)
                                .add("shown", question.getString("shown", "")).add("accept", true).build() + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                        answers.flush();
                    }
                    case "polling" -> {
                        HttpResponse<String> signedIn = playTheBrowser(question.getString("browserUrl",
                                question.getString("verificationUri", "")), question.getString("userCode"));
                        assertEquals(200, signedIn.statusCode(), signedIn.body());
                    }
                    case "error" -> throw new AssertionError("sign-in failed: " + line);
                    default -> {
                        // connecting, saving, done: nothing to answer
                    }
                }
                if (state.equals("done")) {
                    break;
                }
            }
        }
        assertTrue(process.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, process.exitValue(), states + " " + Files.readString(scratch.resolve("login.err")));
        assertTrue(states.containsAll(List.of("url_input", "trust_prompt", "polling", "confirm_account", "done")), states.toString());
        String credentials = Files.readString(scratch.resolve("home/.claude/.credentials.json"));
        assertTrue(credentials.contains("\"enterpriseGateway\"") && credentials.contains("ada@corp.example"), "credentials stored");

        String signedInToken = credential();
        try (LogCapture log = LogCapture.of("dev.claudeproxy.requests", Level.INFO)) {
            Process printing = print();
            String out = new String(printing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(printing.waitFor(3, TimeUnit.MINUTES), out);
            assertEquals(0, printing.exitValue(), out);
            assertTrue(out.contains("Hello from the gateway."), out);
            // Sessions last a minute here, inside the five minutes before expiry in which Claude Code refreshes: it
            // refreshed through the provider before calling, and holds a new session token.
            assertTrue(!credential().equals(signedInToken), "Claude Code refreshed its session");
            assertTrue(log.await(line -> line.contains("endpoint=messages user=ada@corp.example "), Duration.ofSeconds(10))
                    .contains("status=200"));
            // The managed settings the gateway sent (point 6) were taken: their env turned on model discovery.
            assertTrue(log.await(line -> line.contains("endpoint=models user=ada@corp.example "), Duration.ofSeconds(10))
                    .contains("status=200"));
        }
        // Then the user is removed at the provider: the next refresh is refused there, and Claude Code, which keeps
        // its access token after a refused refresh, is refused by the gateway too, and told to sign in again.
        ada.remove();
        Process printing = print();
        String out = new String(printing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(printing.waitFor(3, TimeUnit.MINUTES), out);
        assertTrue(printing.exitValue() != 0, out);
        assertTrue(out.contains("no longer accepts this session") && out.contains("/login"), out);
        assertTrue(!out.contains("Hello from the gateway."), out);
        // The access token Claude Code still holds, not expired yet, is refused at once, for good.
        HttpResponse<String> held = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.baseUrl() + "/v1/messages")).header("Authorization", "Bearer " + credential())
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, held.statusCode(), held.body());
        assertEquals("false", held.headers().firstValue("x-should-retry").orElse(""));
    }

    /** {@code claude -p "say hi"} started in the scratch HOME, its output and errors in one stream. */
    private static Process print() throws Exception {
        ProcessBuilder print = new ProcessBuilder(claude, "-p", "say hi").redirectErrorStream(true)
                .directory(Files.createDirectories(scratch.resolve("work")).toFile());
        environment(print);
        return print.start();
    }

    /** The session token Claude Code holds now. */
    private static String credential() throws Exception {
        JsonObject stored = Json.createReader(Files.newBufferedReader(scratch.resolve("home/.claude/.credentials.json")))
                .readObject();
        return stored.getJsonObject("enterpriseGateway").getString("jwt");
    }

    /** The browser's part: the code page, continue, the provider signs in and sends the browser back. */
    private static HttpResponse<String> playTheBrowser(String browserUrl, String userCode) throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(browserUrl)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(page.body().contains(userCode), page.body());
        HttpResponse<String> toIdp = browser.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/device"))
                .header("content-type", "application/x-www-form-urlencoded").header("Origin", "http://127.0.0.1:" + gateway.port())
                .POST(HttpRequest.BodyPublishers.ofString("user_code=" + URLEncoder.encode(userCode, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, toIdp.statusCode(), toIdp.body());
        HttpResponse<String> back = browser.send(HttpRequest.newBuilder(URI.create(toIdp.headers().firstValue("Location")
                .orElseThrow())).build(), HttpResponse.BodyHandlers.ofString());
        return browser.send(HttpRequest.newBuilder(URI.create(back.headers().firstValue("Location").orElseThrow())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Nothing of this machine's: a scratch HOME whose settings send /login to the gateway. */
    private static void environment(ProcessBuilder process) {
        Map<String, String> environment = process.environment();
        environment.clear();
        environment.put("HOME", scratch.resolve("home").toString());
        environment.put("CLAUDE_CONFIG_DIR", scratch.resolve("home/.claude").toString());
        environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        environment.put("LANG", "C.UTF-8");
        environment.put("NO_PROXY", "127.0.0.1,localhost");
    }
}
