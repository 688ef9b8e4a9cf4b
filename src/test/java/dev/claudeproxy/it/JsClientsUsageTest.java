package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
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
 * Issue 15 as its reporter met it: LangChain's {@code ChatAnthropic.stream} (1.5) takes input
 * tokens only from {@code message_start}, and the official TypeScript SDK's {@code MessageStream}
 * takes {@code message_delta}'s figures when present. Both stream one recorded-shape answer through
 * the WAR on embedded Tomcat (Node and the packages from npm, installed once under
 * {@code target/js-clients}).
 */
class JsClientsUsageTest {

    /** The versions the issue names; the SDK is the one LangChain 1.5 depends on. */
    private static final List<String> PACKAGES = List.of("@langchain/anthropic@1.5.11", "@langchain/core@1.4.0");
    private static final Path CLIENTS = Path.of("target/js-clients");

    private static WireMockServer upstream;
    private static EmbeddedGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("node", "npm");
        install();
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/openai-text/v1/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream")
                .withBody(GatewayHarness.fixture("openai-text"))));
        gateway = EmbeddedGateway.start("", Map.of());
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

    @Test
    void langChainSeesTheInputEstimateAndTheSdkEndsWithTheRealFigures() throws Exception {
        JsonObject usage = run(gateway.baseUrl() + "/http/127.0.0.1:" + upstream.port() + "/openai-text/v1/test-model");
        // The recorded stream reports 10 prompt tokens, 4 of them cached, and 2 completion tokens.
        JsonObject sdk = usage.getJsonObject("sdk");
        assertEquals(6, sdk.getInt("input_tokens"), usage.toString());
        assertEquals(4, sdk.getInt("cache_read_input_tokens"), usage.toString());
        assertEquals(2, sdk.getInt("output_tokens"), usage.toString());
        // LangChain reads message_start only: the estimate, which was 0 before.
        JsonObject langChain = usage.getJsonObject("langchain");
        int estimate = langChain.getInt("input_tokens");
        int real = sdk.getInt("input_tokens") + sdk.getInt("cache_read_input_tokens");
        assertTrue(estimate > 0 && Math.abs(estimate - real) <= real / 4,
                "the estimate within 25 % of the upstream's count: " + usage);
        assertEquals(2, langChain.getInt("output_tokens"), usage.toString());
    }

    private static JsonObject run(String baseUrl) throws IOException, InterruptedException {
        Path script = CLIENTS.resolve("usage.mjs");
        Files.copy(Path.of("src/test/js/usage.mjs"), script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Process node = new ProcessBuilder("node", script.toAbsolutePath().toString(), baseUrl)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node finished");
        assertEquals(0, node.exitValue(), out);
        try (JsonReader reader = Json.JSON_P.createReader(new StringReader(out))) {
            return reader.readObject();
        }
    }

    private static void install() throws IOException, InterruptedException {
        Files.createDirectories(CLIENTS);
        if (Files.exists(CLIENTS.resolve("node_modules/@langchain/anthropic/package.json"))
                && Files.readString(CLIENTS.resolve("node_modules/@langchain/anthropic/package.json")).contains("\"1.5.11\"")) {
            return;
        }
        Files.writeString(CLIENTS.resolve("package.json"), "{\"private\":true,\"type\":\"module\"}");
        List<String> command = new java.util.ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund",
                "--loglevel=error", "--prefix", CLIENTS.toAbsolutePath().toString()));
        command.addAll(PACKAGES);
        Process npm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(npm.waitFor(5, TimeUnit.MINUTES), "npm finished");
        assertEquals(0, npm.exitValue(), "npm install: " + out);
    }
}
