package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The root page in headless Chromium: it shows the gateway's live status and builds the exact
 * {@code ANTHROPIC_BASE_URL} and settings snippet, and the URL it builds works. Uses Debian's
 * {@code chromium} and {@code chromedriver} ({@code .ci/run} installs them); a machine without them
 * skips this test, except in CI, where it fails.
 */
class IndexPageTest {

    /** Found on the PATH, by the names Debian and other distributions give them. */
    private static final Path CHROMIUM = Tools.find("chromium", "chromium-browser", "google-chrome");
    private static final Path CHROMEDRIVER = Tools.find("chromedriver");
    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

    private static GatewayHarness harness;
    private static WebDriver browser;

    @BeforeAll
    static void start() {
        boolean present = CHROMIUM != null && CHROMEDRIVER != null;
        if (System.getenv("CI") != null) {
            assertTrue(present, "CI must have Debian's chromium and chromedriver (.ci/run installs them)");
        }
        assumeTrue(present, "Debian's chromium and chromium-driver are not installed; page test skipped");
        harness = new GatewayHarness("/claude-proxy", Map.of("HAIKU_BASE_URL", "api.groq.com/openai/v1",
                "HAIKU_MODEL_NAME", "llama-3.1-8b-instant"));
        browser = chromium();
    }

    /** Debian's Chromium, headless, driven by its chromedriver: the pages' tests' browser. */
    static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (harness != null) {
            harness.close();
        }
    }

    /** Opens the root page and waits for its live status to say ready; the wait is for what comes next. */
    private static WebDriverWait openReady(String gateway) {
        browser.get(gateway + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        wait.until(driver -> byId("status-state").getText().equals("ready"));
        return wait;
    }

    private static WebElement byId(String id) {
        return browser.findElement(By.id(id));
    }

    private static void type(String id, String text) {
        WebElement field = byId(id);
        field.clear();
        field.sendKeys(text);
    }

    /** Issue 25, point 9: a gateway that signs developers in offers the sign-in settings; one that does not, hides them. */
    @Test
    void aSignInGatewayOffersItsSignInSettings() throws Exception {
        openReady(harness.gateway.baseUrl());
        assertFalse(byId("sso").isDisplayed());
        try (dev.claudeproxy.EmbeddedGateway sso = dev.claudeproxy.EmbeddedGateway.start("/claude-proxy", Map.of(
                "CLIENT_AUTH", "sso", "SSO_ISSUER", "https://login.corp.example/realms/dev", "SSO_CLIENT_ID", "claude-proxy",
                "SSO_CLIENT_SECRET", "the-client-secret"))) {
            String gateway = sso.baseUrl();
            openReady(gateway).until(driver -> byId("sso").isDisplayed());
            assertEquals("bash <(curl -fsSL " + gateway + "/claude_proxy.sh) --sso", byId("sso-script-line").getText());
            JsonObject snippet = GatewayHarness.json(byId("sso-snippet").getText());
            assertEquals("gateway", snippet.getString("forceLoginMethod"));
            assertEquals(gateway, snippet.getString("forceLoginGatewayUrl"));
        }
    }

    @Test
    void theFormBuildsTheExactBaseUrlAndSnippetAndShowsLiveStatus() throws Exception {
        String gateway = harness.gateway.baseUrl();
        WebDriverWait wait = openReady(gateway);
        assertTrue(byId("status-routes").getText().contains(
                        "haiku route: llama-3.1-8b-instant at api.groq.com (context window: 131072 tokens)"),
                byId("status-routes").getText());

        assertEquals("bash <(curl -fsSL " + gateway + "/claude_proxy.sh)", byId("script-line").getText());
        // The default preset.
        assertEquals(gateway + "/api.groq.com/openai/v1/llama-3.3-70b-versatile", byId("url").getText());
        // Issue 16: the snippet carries the window the gateway gives for the model (Groq's documented 131,072).
        assertEquals("131072", windowInSnippet(wait, "131072"));
        assertTrue(byId("window-note").getText().contains("The gateway gives 131072 tokens"), byId("window-note").getText());
        // Issue 23: the settings the set-up script writes, the same.
        type("fast", "llama-3.1-8b-instant");
        JsonObject groq = GatewayHarness.json(byId("snippet").getText()).getJsonObject("env");
        assertEquals("0", groq.getString("CLAUDE_CODE_AUTO_MODE_SERVER"));
        assertEquals("llama-3.1-8b-instant", groq.getString("CLAUDE_CODE_AUTO_MODE_MODEL"));
        assertEquals("llama-3.1-8b-instant", groq.getString("ANTHROPIC_DEFAULT_HAIKU_MODEL"));
        assertEquals("1", groq.getString("CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"));
        assertEquals("llama-3.3-70b-versatile", groq.getString("ANTHROPIC_MODEL"));
        assertEquals("131072", groq.getString("CLAUDE_CODE_MAX_CONTEXT_TOKENS"));
        type("fast", "");

        new Select(byId("preset")).selectByVisibleText("DeepSeek");
        type("model", "deepseek-chat");
        assertEquals("1000000", windowInSnippet(wait, "1000000"), "DeepSeek's documented window");

        new Select(byId("preset")).selectByVisibleText("OpenRouter");
        type("model", "meta-llama/llama-3.3-70b-instruct");
        assertEquals(gateway + "/openrouter.ai/api/v1/~/meta-llama/llama-3.3-70b-instruct", byId("url").getText());

        new Select(byId("preset")).selectByVisibleText("Custom base URL");
        String upstream = "http://127.0.0.1:" + harness.upstream.port() + "/v1/chat/completions";
        type("base", upstream);
        type("model", "qwen3:8b");
        new Select(byId("keyvar")).selectByValue("ANTHROPIC_API_KEY");
        type("keyhint", "sk-placeholder");
        String url = byId("url").getText();
        assertEquals(gateway + "/http/127.0.0.1:" + harness.upstream.port() + "/v1/qwen3:8b", url);

        JsonObject env = GatewayHarness.json(byId("snippet").getText()).getJsonObject("env");
        assertEquals(url, env.getString("ANTHROPIC_BASE_URL"));
        assertEquals("sk-placeholder", env.getString("ANTHROPIC_API_KEY"));
        assertFalse(env.containsKey("ANTHROPIC_AUTH_TOKEN"));
        assertEquals("1", env.getString("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"));
        wait.until(driver -> byId("window-note").getText().contains("does not know this model's context window"));
        assertFalse(GatewayHarness.json(byId("snippet").getText()).getJsonObject("env")
                .containsKey("CLAUDE_CODE_AUTO_COMPACT_WINDOW"), "an unknown window is not written");

        // What the page built is a working base URL.
        harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
        String path = url.substring(gateway.length()) + "/v1/messages";
        assertEquals(200, harness.post(path, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode());
        harness.upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("qwen3:8b"))));

        type("base", "ftp://files.example");
        assertEquals("", byId("url").getText());
        assertTrue(byId("url-error").getText().contains("http or https"), byId("url-error").getText());

        new Select(byId("preset")).selectByValue("server");
        assertEquals(gateway, byId("url").getText(), "the gateway's own routes need no upstream in the URL");
        assertEquals("131072", windowInSnippet(wait, "131072"), "the smallest window of the server's routes");
        JsonObject server = GatewayHarness.json(byId("snippet").getText()).getJsonObject("env");
        assertFalse(server.containsKey("ANTHROPIC_MODEL") || server.containsKey("CLAUDE_CODE_MAX_CONTEXT_TOKENS"),
                "the gateway's routes choose the model: " + server);
    }

    /** The snippet's CLAUDE_CODE_AUTO_COMPACT_WINDOW once it is {@code expected} (the page asks the gateway for it). */
    private static String windowInSnippet(WebDriverWait wait, String expected) {
        wait.until(driver -> expected.equals(GatewayHarness.json(byId("snippet").getText()).getJsonObject("env")
                .getString("CLAUDE_CODE_AUTO_COMPACT_WINDOW", "")));
        return GatewayHarness.json(byId("snippet").getText()).getJsonObject("env").getString("CLAUDE_CODE_AUTO_COMPACT_WINDOW");
    }
}
