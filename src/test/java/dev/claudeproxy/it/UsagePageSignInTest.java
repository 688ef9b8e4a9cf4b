package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claudeproxy.identity.Identity;
import dev.claudeproxy.identity.SessionTokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.NettyWrapper;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue 26: the usage page on a gateway that signs people in from Claude Code
 * ({@code CLIENT_AUTH=sso}), in headless Chromium: the page offers a sign-in of its own, through
 * the company's identity provider (mock-oauth2-server), and then shows the developer's budgets and
 * spend, read with the page's session cookie.
 */
class UsagePageSignInTest {

    private static final String SECRET = "a-session-secret-of-at-least-thirty-two-bytes";
    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":500}}";

    @TempDir
    static Path scratch;
    private static MockOAuth2Server idp;
    private static GatewayHarness harness;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Tools.find("chromium", "chromium-browser", "google-chrome") != null
                && Tools.find("chromedriver") != null;
        if (System.getenv("CI") != null) {
            assertTrue(present, "CI must have Debian's chromium and chromedriver (.ci/run installs them)");
        }
        assumeTrue(present, "Debian's chromium and chromium-driver are not installed; page test skipped");
        idp = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(), Set.of(),
                new NettyWrapper()));
        idp.start();
        Path policy = Files.writeString(scratch.resolve("policy.conf"), """
                [prices]
                127.0.0.1/gpt-4.1 = 2.00, 0.50, 8.00
                [user ada@corp.example]
                budget_per_day = 1 USD
                """);
        harness = new GatewayHarness("/claude-proxy", Map.of("CLIENT_AUTH", "sso", "SSO_ISSUER",
                idp.issuerUrl("corp").toString(), "SSO_CLIENT_ID", "claude-proxy", "SSO_CLIENT_SECRET", "the-client-secret",
                "SESSION_SECRET", SECRET, "POLICY_FILE", policy.toString()));
        harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
        // Ada has spent through Claude Code (a session as the gateway issues it).
        String session = new SessionTokens(SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(60), Clock.systemUTC())
                .issue("u-ada", new Identity("ada@corp.example", List.of()), Optional.empty()).token();
        assertEquals(200, harness.post(harness.route("/v1", "gpt-4.1") + "/v1/messages", "{\"model\":\"claude-sonnet-4-5\","
                + "\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization",
                "Bearer " + session).statusCode());
        for (int i = 0; i < 100; i++) {
            String mine = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(harness.gateway.baseUrl()
                    + "/_proxy/usage/me")).header("Authorization", "Bearer " + session).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (mine.contains("gpt-4.1")) {
                break;
            }
            Thread.sleep(100);
        }
        browser = IndexPageTest.chromium();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (harness != null) {
            harness.close();
        }
        if (idp != null) {
            idp.shutdown();
        }
    }

    @Test
    void aDeveloperSignsInFromThePageAndSeesTheirUsage() {
        browser.get(harness.gateway.baseUrl() + "/usage");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        wait.until(driver -> driver.findElement(By.id("sign-in")).isDisplayed());
        assertFalse(browser.findElement(By.id("mine")).isDisplayed(), "nothing shown before signing in");

        idp.enqueueCallback(new DefaultOAuth2TokenCallback("corp", "u-ada", "JWT", List.of("claude-proxy"),
                Map.of("email", "ada@corp.example"), 3600));
        browser.findElement(By.cssSelector("#sign-in a")).click();
        wait.until(driver -> driver.findElement(By.id("status")).getText().startsWith("Signed in as"));
        assertEquals("Signed in as ada@corp.example.", browser.findElement(By.id("status")).getText());
        assertEquals(harness.gateway.baseUrl() + "/usage", browser.getCurrentUrl(), "back on the page");
        assertEquals("1.00 USD", browser.findElement(By.cssSelector("#budgets tbody td:nth-child(2)")).getText());
        assertEquals("0.0060 USD", browser.findElement(By.cssSelector("#budgets tbody td:nth-child(3)")).getText(), "one exchange");
        Cookie session = browser.manage().getCookieNamed("gw_session");
        assertTrue(session.isHttpOnly(), "the page's script cannot read the session");
        assertEquals("Strict", session.getSameSite());
        assertTrue(browser.findElement(By.id("not-admin")).isDisplayed(), "ada is no administrator");
    }

    /** The page's cookie opens the usage endpoints, and only them: an API call with it alone is refused. */
    @Test
    void thePagesSessionCookieIsNoApiKey() throws Exception {
        String session = new SessionTokens(SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(60), Clock.systemUTC())
                .issue("u-bob", new Identity("bob@corp.example", List.of()), Optional.empty()).token();
        HttpResponse<String> usage = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(harness.gateway.baseUrl()
                + "/_proxy/usage/me")).header("Cookie", "gw_session=" + session).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, usage.statusCode(), usage.body());
        HttpResponse<String> api = harness.post(harness.route("/v1", "gpt-4.1") + "/v1/messages", "{\"model\":"
                + "\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Cookie",
                "gw_session=" + session);
        HostileInputTest.assertAnthropicError(api, 401, "authentication_error");
    }
}
