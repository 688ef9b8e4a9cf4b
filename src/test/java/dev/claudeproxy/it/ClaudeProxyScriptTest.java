package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code claude_proxy.sh}: its bats suite ({@code src/test/sh/claude_proxy.bats}) against a real
 * gateway on embedded Tomcat and a stand-in upstream, shellcheck, and the copy the gateway serves.
 * bats, shellcheck and expect are Debian packages that {@code .ci/run} installs; a machine without
 * them skips those parts, except in CI, where they fail.
 */
class ClaudeProxyScriptTest {

    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

    private static GatewayHarness harness;

    @BeforeAll
    static void start() {
        // The stand-in upstream is DeepSeek's API (its documented windows) with windows set for three local models.
        // The gateway answers only 127.0.0.1, so the address the script is fetched from is its default.
        harness = new GatewayHarness("/claude-proxy", Map.of("PROFILE_BY_HOST", "127.0.0.1=deepseek", "ALLOWED_HOSTS", "127.0.0.1",
                "CONTEXT_WINDOWS", "127.0.0.1/big-local=400k,127.0.0.1/small-fast=200k,127.0.0.1/small-local=32768,"
                + "127.0.0.1/mid-local=65536"));
        harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
        harness.upstream.stubFor(post(urlEqualTo("/refusing/v1/chat/completions")).willReturn(aResponse()
                .withStatus(401).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Invalid API Key\",\"type\":\"invalid_request_error\"}}")));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static String run(Map<String, String> environment, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "finished");
        assertEquals(0, process.exitValue(), String.join(" ", command) + "\n" + output);
        return output;
    }

    @Test
    void batsSuitePassesAgainstARealGateway() throws Exception {
        Tools.require("bats", "expect", "jq", "python3", "node", "curl");
        String upstream = "http://127.0.0.1:" + harness.upstream.port();
        String output = run(Map.of("SCRIPT", Path.of("claude_proxy.sh").toAbsolutePath().toString(),
                        "GATEWAY", harness.gateway.baseUrl(), "UPSTREAM", upstream + "/v1",
                        "BAD_UPSTREAM", upstream + "/refusing/v1"),
                "bats", "--tap", "src/test/sh/claude_proxy.bats");
        assertTrue(output.startsWith("1.."), output);
        assertTrue(!output.contains("not ok"), output);
    }

    @Test
    void shellcheckFindsNothing() throws Exception {
        Tools.require("shellcheck");
        run(Map.of(), "shellcheck", "claude_proxy.sh");
    }

    @Test
    void theGatewayServesTheScriptWithItsOwnUrlAsTheDefault() throws IOException, InterruptedException {
        HttpResponse<String> served = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                URI.create(harness.gateway.baseUrl() + "/claude_proxy.sh")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, served.statusCode());
        assertTrue(served.headers().firstValue("content-type").orElseThrow().startsWith("text/x-shellscript"));
        String original = Files.readString(Path.of("claude_proxy.sh"));
        String expected = original.replace("DEFAULT_GATEWAY=\"http://localhost:8080\"",
                "DEFAULT_GATEWAY=\"" + harness.gateway.baseUrl() + "\"");
        assertTrue(!expected.equals(original), "the script has the default line the gateway replaces");
        assertEquals(expected, served.body());
        assertTrue(List.of(served.body().split("\n")).contains("DEFAULT_GATEWAY=\"" + harness.gateway.baseUrl() + "\""));
    }
}
