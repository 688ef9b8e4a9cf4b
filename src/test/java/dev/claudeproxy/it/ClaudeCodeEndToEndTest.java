package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.LogCapture;
import dev.claudeproxy.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23: the real Claude Code CLI ({@link ClaudeCodeCli#PINNED}, from npm) through the gateway
 * on embedded Tomcat, set up by {@code claude_proxy.sh} as a new user would, against a stand-in
 * upstream that plays the model ({@link ClaudeCodeUpstream}). The upstream is taken for OpenAI's
 * API, the session's model is gpt-4.1 and the fast model gpt-5-mini, a reasoning model, which takes
 * no {@code stop}: auto mode's checks go to it, and the gateway cuts their answers itself.
 *
 * <p>It is the project's compatibility check for each Claude Code release: run it with
 * {@code -Dclaude.code.version=<version>}; moving {@link ClaudeCodeCli#PINNED} moves CI.
 */
class ClaudeCodeEndToEndTest {

    private static final String PROMPT = "Please install the tool";

    @TempDir
    static Path scratch;

    private static ClaudeCodeUpstream upstream;
    private static EmbeddedGateway gateway;
    private static LogCapture requestLog;
    private static Path home;
    private static String path;
    /** The {@code claude} on the scratch PATH (a process is started by the test's own PATH, not its environment's). */
    private static String claude;

    @BeforeAll
    static void setUp() throws Exception {
        Tools.require("bash", "curl", "node", "npm");
        Path installed = ClaudeCodeCli.install();
        upstream = new ClaudeCodeUpstream();
        requestLog = LogCapture.of("dev.claudeproxy.requests", Level.INFO);
        gateway = EmbeddedGateway.start("", Map.of("PROFILE_BY_HOST", "127.0.0.1=openai"));
        home = Files.createDirectories(scratch.resolve("home"));
        Path bin = ClaudeCodeCli.onPath(installed, scratch);
        ClaudeCodeEndToEndTest.claude = bin.resolve("claude").toString();
        path = bin + ":/usr/local/bin:/usr/bin:/bin";
        // The set-up script, as a new user runs it: its settings are the ones under test.
        ProcessBuilder setup = new ProcessBuilder("bash", Path.of("claude_proxy.sh").toAbsolutePath().toString(),
                "--gateway", gateway.baseUrl(), "--upstream", "http://127.0.0.1:" + upstream.port() + "/v1",
                "--model", "gpt-4.1", "--haiku-model", "gpt-5-mini", "--key-env", "UPSTREAM_KEY", "--yes")
                .redirectErrorStream(true);
        scratchEnvironment(setup).put("UPSTREAM_KEY", "sk-test-upstream-key");
        String out = run(setup, 2);
        assertTrue(out.contains("OK: the gateway answered through the upstream"), out);
    }

    @AfterAll
    static void tearDown() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (requestLog != null) {
            requestLog.close();
        }
    }

    /** A process environment with nothing of this machine's but a PATH holding {@code claude}: a scratch HOME. */
    private static Map<String, String> scratchEnvironment(ProcessBuilder process) {
        Map<String, String> environment = process.environment();
        environment.clear();
        environment.put("HOME", home.toString());
        environment.put("PATH", path);
        environment.put("LANG", "C.UTF-8");
        return environment;
    }

    private static String run(ProcessBuilder process, int minutes) throws IOException, InterruptedException {
        Process started = process.start();
        String out = new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(started.waitFor(minutes, TimeUnit.MINUTES), "finished within " + minutes + " minutes: " + out);
        assertEquals(0, started.exitValue(), out);
        return out;
    }

    @Test
    void printModeRunsAToolAChecksItsSafetyAndRunsASubagentThroughTheGateway() throws Exception {
        Path work = Files.createDirectories(scratch.resolve("print-work"));
        ProcessBuilder print = new ProcessBuilder(claude, "-p", PROMPT, "--output-format", "stream-json", "--verbose",
                "--permission-mode", "auto").directory(work.toFile()).redirectError(scratch.resolve("print.err").toFile());
        scratchEnvironment(print);
        List<JsonObject> events = printEvents(print);

        // What the user sees: the command ran (auto mode checked it), the subagent reported, the answer.
        String transcript = events.toString();
        assertTrue(events.stream().noneMatch(event -> "permission_denied".equals(event.getString("subtype", ""))),
                "no action was refused: " + transcript);
        JsonObject result = events.get(events.size() - 1);
        assertEquals("success", result.getString("subtype"), transcript);
        assertEquals(ClaudeCodeUpstream.FINAL_TEXT, result.getString("result"), transcript);
        assertTrue(events.stream().anyMatch(event -> "task_started".equals(event.getString("subtype", ""))), transcript);
        assertTrue(transcript.contains(ClaudeCodeUpstream.SUBAGENT_REPORT), "the subagent's report came back: " + transcript);
        assertFalse(transcript.contains("Auto mode can't check") || transcript.contains("could not evaluate"), transcript);

        // What the upstream received: this session's requests carry the hash of its id as their prompt cache key.
        String sessionId = result.getString("session_id");
        List<JsonObject> session = sessionRequests(sessionId);
        List<JsonObject> checks = session.stream().filter(ClaudeCodeUpstream::isCheck).toList();
        assertFalse(checks.isEmpty(), "auto mode checked the command");
        for (JsonObject check : checks) {
            assertEquals("gpt-5-mini", check.getString("model"), "the fast model checks");
            assertFalse(check.containsKey("stop"), "gpt-5 models take no stop: the gateway cuts at it");
            assertEquals("minimal", check.getString("reasoning_effort"), "a check gets the least reasoning");
        }
        List<JsonObject> turns = session.stream().filter(body -> body.containsKey("tools")).toList();
        assertTrue(turns.size() >= 4, "main turns and the subagent's: " + turns.size());
        for (JsonObject turn : turns) {
            assertEquals("gpt-4.1", turn.getString("model"));
            Set<String> tools = turn.getJsonArray("tools").stream()
                    .map(tool -> tool.asJsonObject().getJsonObject("function").getString("name")).collect(Collectors.toSet());
            assertFalse(tools.contains("DeferredToolPlaceholder"), "a placeholder is no tool to offer: " + tools);
        }
        assertEquals(1, session.stream().map(body -> body.getString("safety_identifier")).distinct().count(),
                "one user, one safety identifier");

        // What the operator sees: one session, its subagent, the checks marked; the model list was read.
        List<String> lines = requestLog.messages();
        List<String> sessionLines = lines.stream().filter(line -> line.contains(" session=" + sessionId + " ")).toList();
        assertTrue(sessionLines.size() >= session.size(), lines.toString());
        assertTrue(sessionLines.stream().anyMatch(line -> line.contains(" kind=auto_mode_check ")), sessionLines.toString());
        assertTrue(sessionLines.stream().anyMatch(line -> !line.contains(" agent=- ")), "the subagent is named: " + sessionLines);
        assertTrue(lines.stream().anyMatch(line -> line.contains(" endpoint=models ")), "model discovery asked the gateway");
    }

    /**
     * The same session on an upstream of the OpenAI Responses API (issue 27): the tool loop, auto
     * mode's check and the subagent run through the WAR, and the model's encrypted reasoning goes
     * back to it on the turns after, carried by Claude Code in the thinking blocks it was given.
     */
    @Test
    void printModeRunsTheToolLoopOnAResponsesApiUpstreamWithItsReasoningCarriedBack() throws Exception {
        Path work = Files.createDirectories(scratch.resolve("responses-work"));
        String base = gateway.baseUrl() + "/http/127.0.0.1:" + upstream.port() + "/v1/responses/gpt-5.1-codex";
        ProcessBuilder print = new ProcessBuilder(claude, "-p", PROMPT, "--output-format", "stream-json", "--verbose",
                "--permission-mode", "auto", "--settings", "{\"env\":{\"ANTHROPIC_BASE_URL\":\"" + base + "\",\"ANTHROPIC_MODEL\":\"gpt-5.1-codex\"}}")
                .directory(work.toFile()).redirectError(scratch.resolve("responses.err").toFile());
        scratchEnvironment(print);
        List<JsonObject> events = printEvents(print);
        String transcript = events.toString();
        JsonObject result = events.get(events.size() - 1);
        assertEquals("success", result.getString("subtype"), transcript);
        assertEquals(ClaudeCodeUpstream.FINAL_TEXT, result.getString("result"), transcript);
        assertTrue(transcript.contains(ClaudeCodeUpstream.SUBAGENT_REPORT), "the subagent's report came back: " + transcript);

        // This session's requests, known by the cache key its id gives them (no other program's, however late).
        List<JsonObject> sent = sessionRequests(result.getString("session_id"));
        assertTrue(sent.size() >= 3, "the session's requests reached the upstream: " + sent.size());
        List<JsonObject> inChatTerms = sent.stream().filter(body -> !body.containsKey("input") || body.containsKey("messages")).toList();
        assertTrue(inChatTerms.isEmpty(), "every request went out in the Responses API's terms: " + inChatTerms);
        List<JsonObject> turns = sent.stream().filter(body -> body.containsKey("tools")
                && body.getString("model").equals("gpt-5.1-codex")).toList();
        assertTrue(turns.size() >= 3, "the main turns and the subagent's: " + turns.size());
        assertTrue(turns.stream().allMatch(body -> !body.getBoolean("store")
                && body.getJsonArray("include").toString().equals("[\"reasoning.encrypted_content\"]")),
                "nothing stored at the provider, the reasoning asked for encrypted");
        // A turn after a call gives the reasoning of the turn that made the call back, as it was encrypted.
        List<String> givenBack = turns.stream().flatMap(body -> body.getJsonArray("input").stream())
                .map(JsonValue::asJsonObject).filter(item -> item.getString("type").equals("reasoning"))
                .map(item -> item.getString("encrypted_content")).toList();
        assertFalse(givenBack.isEmpty(), "Claude Code's thinking blocks brought the reasoning back: " + turns);
        assertTrue(givenBack.stream().allMatch(encrypted -> encrypted.matches("enc-\\d+")), givenBack.toString());
    }

    /**
     * The "done when": with the script's settings, an interactive session in auto mode runs
     * a command that needs the safety check without any dialog, and {@code /model} lists the
     * gateway's models, with the session on the gateway's model. Driven in tmux, as a user types.
     */
    @Test
    void anInteractiveSessionRunsACheckedCommandWithoutADialogAndListsTheGatewaysModels() throws Exception {
        Tools.require("tmux");
        Path work = Files.createDirectories(scratch.resolve("interactive-work")).toRealPath();
        // A returning user: Claude Code's first-start questions answered, this folder trusted.
        Files.writeString(home.resolve(".claude.json"), "{\"hasCompletedOnboarding\":true,\"theme\":\"dark\","
                + "\"numStartups\":3,\"projects\":{\"" + work + "\":{\"hasTrustDialogAccepted\":true,"
                + "\"hasCompletedProjectOnboarding\":true}}}");
        String command = "/usr/bin/env -i HOME=" + home + " PATH=" + path + " TERM=xterm-256color LANG=C.UTF-8 " + claude;
        try (TmuxSession session = TmuxSession.start("claude-proxy-e2e-" + ProcessHandle.current().pid(), work, command)) {
            String screen = session.await(text -> text.contains("auto mode on"), 60);
            assertTrue(screen.contains("gpt-4.1 · "), "the session starts on the gateway's model: " + screen);
            session.keys(PROMPT, "Enter");
            screen = session.await(text -> text.contains(ClaudeCodeUpstream.FINAL_TEXT)
                    || text.contains("Auto mode can't check") || text.contains("Do you want to proceed?"), 120);
            assertFalse(screen.contains("Auto mode can't check") || screen.contains("Do you want to proceed?"), screen);
            assertTrue(screen.contains(ClaudeCodeUpstream.FINAL_TEXT), screen);
            session.keys("/model", "Enter");
            screen = session.await(text -> text.contains("via claude-proxy"), 30);
            assertTrue(screen.contains("gpt-4.1 via claude-proxy"), "the gateway's model is listed: " + screen);
            session.keys("Escape");
        }
    }

    /** What {@code claude -p --output-format stream-json} printed, one event a line, run to its end. */
    private static List<JsonObject> printEvents(ProcessBuilder print) throws IOException, InterruptedException {
        List<JsonObject> events = new ArrayList<>();
        for (String line : run(print, 4).split("\n")) {
            if (line.startsWith("{")) {
                events.add(json(line));
            }
        }
        return events;
    }

    /** The requests of one Claude Code session the upstream received, known by the prompt cache key its id gives them. */
    private static List<JsonObject> sessionRequests(String sessionId) throws java.security.NoSuchAlgorithmException {
        String cacheKey = sha256Hex("claude-proxy session " + sessionId).substring(0, 32);
        return upstream.received().stream().filter(body -> cacheKey.equals(body.getString("prompt_cache_key", ""))).toList();
    }

    private static String sha256Hex(String text) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonObject json(String text) {
        try (JsonReader reader = Json.JSON_P.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }
}
