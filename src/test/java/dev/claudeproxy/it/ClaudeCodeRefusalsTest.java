package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.claudeproxy.EmbeddedGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 26: what the real Claude Code CLI ({@link ClaudeCodeCli#PINNED}) shows for the policy's
 * refusals, through the WAR: a spent budget prints the gateway's message as it is, once (no
 * retry, no sign-in prompt); a model outside the policy prints the models open to the user. The
 * users come from an SSO front's header, which Claude Code sends as a custom header.
 */
class ClaudeCodeRefusalsTest {

    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"Hello from the gateway.\"}}],\"usage\":{\"prompt_tokens\":3,"
            + "\"completion_tokens\":4}}";

    @TempDir
    static Path scratch;
    private static String claude;
    private static WireMockServer upstream;
    private static EmbeddedGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("node", "npm");
        claude = ClaudeCodeCli.install().toString();
        upstream = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlPathEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
        Path policy = Files.writeString(scratch.resolve("policy.conf"), """
                [everyone]
                models = 127.0.0.1/gpt-4.1

                [user ada]
                budget_per_day = 0 USD
                """);
        gateway = EmbeddedGateway.start("", Map.of("CLIENT_AUTH", "header", "POLICY_FILE", policy.toString()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.stop();
        }
    }

    /** {@code claude -p "say hi"} as {@code user}, through the route to {@code model}: what it prints, and its exit code. */
    private static String[] print(String user, String model) throws Exception {
        ProcessBuilder print = new ProcessBuilder(claude, "-p", "say hi").redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .directory(Files.createDirectories(scratch.resolve("work")).toFile());
        Map<String, String> environment = print.environment();
        environment.clear();
        environment.put("HOME", Files.createDirectories(scratch.resolve("home")).toString());
        environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        environment.put("LANG", "C.UTF-8");
        environment.put("NO_PROXY", "127.0.0.1,localhost");
        environment.put("ANTHROPIC_BASE_URL", gateway.baseUrl() + "/http/127.0.0.1:" + upstream.port() + "/v1/" + model);
        environment.put("ANTHROPIC_AUTH_TOKEN", "unused");
        environment.put("ANTHROPIC_CUSTOM_HEADERS", "X-Forwarded-User: " + user);
        Process process = print.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), out);
        return new String[] {out.strip(), Integer.toString(process.exitValue())};
    }

    @Test
    void claudeCodeShowsEachRefusalAsTheGatewayWroteIt() throws Exception {
        String[] served = print("bob", "gpt-4.1");
        assertEquals("0", served[1], served[0]);
        assertTrue(served[0].contains("Hello from the gateway."), served[0]);

        // As Claude Code 2.1.331 prints them (docs/budgets.md shows the same lines).
        String[] spent = print("ada", "gpt-4.1");
        assertTrue(!spent[1].equals("0"), spent[0]);
        assertEquals("API Error: Request rejected (429) · Your daily budget of 0.00 USD is spent (0.00 USD today) · it resets "
                + java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1) + " 00:00 UTC", spent[0]);

        String[] model = print("bob", "gpt-5");
        assertTrue(!model[1].equals("0"), model[0]);
        assertEquals("API Error: 400 model 127.0.0.1/gpt-5 is not one you may use here; you may use 127.0.0.1/gpt-4.1"
                + " (the gateway's policy)", model[0]);
    }

    /**
     * The same refusals in an interactive session, driven in tmux as a user types: the spent budget's
     * line and the refused model's, on Claude Code's own screen (kept in target/screens for the docs).
     */
    @Test
    void anInteractiveSessionShowsTheRefusalsOnItsScreen() throws Exception {
        Tools.require("tmux");
        String spent = interactive("ada", "gpt-4.1", "budget of 0.00 USD is spent");
        assertTrue(spent.contains("Your daily budget of 0.00 USD is spent (0.00 USD today) · it resets"), spent);
        assertTrue(!spent.contains("/login") && !spent.contains("Retrying"), "no sign-in prompt, no retry: " + spent);
        String model = interactive("bob", "gpt-5", "is not one you may use here");
        assertTrue(model.contains("you may use 127.0.0.1/gpt-4.1"), model);
        assertTrue(!model.contains("/login"), model);
    }

    /** Starts {@code claude} in tmux as {@code user} on the route to {@code model}, says hi, and returns the screen. */
    private static String interactive(String user, String model, String awaited) throws Exception {
        Path home = Files.createDirectories(scratch.resolve("home-" + user + "-" + model));
        Path work = Files.createDirectories(scratch.resolve("work-" + user + "-" + model)).toRealPath();
        // A returning user: Claude Code's first-start questions answered, this folder trusted.
        Files.writeString(home.resolve(".claude.json"), "{\"hasCompletedOnboarding\":true,\"theme\":\"dark\","
                + "\"numStartups\":3,\"projects\":{\"" + work + "\":{\"hasTrustDialogAccepted\":true,"
                + "\"hasCompletedProjectOnboarding\":true}}}");
        String base = gateway.baseUrl() + "/http/127.0.0.1:" + upstream.port() + "/v1/" + model;
        String command = "/usr/bin/env -i HOME=" + home + " PATH=/usr/local/bin:/usr/bin:/bin TERM=xterm-256color LANG=C.UTF-8 DISABLE_AUTOUPDATER=1"
                + " NO_PROXY=127.0.0.1,localhost ANTHROPIC_BASE_URL=" + base + " ANTHROPIC_AUTH_TOKEN=unused"
                + " 'ANTHROPIC_CUSTOM_HEADERS=X-Forwarded-User: " + user + "' " + claude;
        try (TmuxSession session = TmuxSession.start("claude-proxy-refusals-" + ProcessHandle.current().pid() + "-" + user, work, command)) {
            session.await(text -> text.contains("? for shortcuts") || text.contains(">"), 60);
            Thread.sleep(1_000);
            session.keys("say hi", "Enter");
            String screen = session.await(text -> text.contains(awaited), 90);
            Path screens = Files.createDirectories(Path.of("target/screens"));
            Files.writeString(screens.resolve("refusal-" + user + "-" + model + ".txt"), screen);
            return screen;
        }
    }
}
