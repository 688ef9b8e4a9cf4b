package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.EmbeddedGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 24: a body of many tiny JSON values becomes twenty times its size once parsed (a million
 * one-character blocks, 31 MB, stopped a 512 MiB JVM), so what a body will become is bounded
 * before it is built: its values are counted first, refused past the gateway's limit (413 naming
 * it), and charged to the in-flight budget (529 when it is spent, 413 when it could never hold
 * them); counts no client reaches are refused by name (400). Nothing reaches the upstream.
 */
class RequestShapeLimitsTest {

    private static GatewayHarness harness;

    @BeforeAll
    static void start() {
        harness = new GatewayHarness("", Map.of());
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @BeforeEach
    void upstreamAnswers() {
        harness.upstream.resetAll();
        harness.upstream.stubFor(post(urlPathMatching(".*")).willReturn(okJson("{\"choices\":[{\"index\":0,"
                + "\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}]}")));
    }

    /** A request whose one user message holds {@code count} copies of {@code item}, joined by commas, as {@code field}. */
    private static String repeated(String prefix, String item, int count, String suffix) {
        StringBuilder body = new StringBuilder(prefix.length() + (item.length() + 1) * count + suffix.length());
        body.append(prefix);
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append(item);
        }
        return body.append(suffix).toString();
    }

    private static String blocks(int count) {
        return repeated("{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":[",
                "{\"type\":\"text\",\"text\":\"a\"}", count, "]}]}");
    }

    static Stream<Arguments> tooManyValues() {
        return Stream.of(
                Arguments.of("a million one-character text blocks", blocks(1_000_000)),
                Arguments.of("5,000,000 one-character stop sequences", repeated("{\"model\":\"m\",\"max_tokens\":10,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop_sequences\":[", "\"a\"", 5_000_000, "]}")),
                Arguments.of("15,000,000 numbers in one tool input", repeated("{\"model\":\"m\",\"max_tokens\":10,\"messages\":["
                        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"T\",\"input\":{\"x\":[",
                        "0", 15_000_000, "]}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\"}]}]}")),
                Arguments.of("1,000,001 one-character messages", repeated("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[",
                        "{\"role\":\"user\",\"content\":\"a\"}", 1_000_001, "]}")),
                Arguments.of("a million tiny tool definitions", repeated("{\"model\":\"m\",\"max_tokens\":10,\"messages\":["
                        + "{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[", "{\"name\":\"t\"}", 1_000_000, "]}")),
                Arguments.of("700,000 tiny tool results", repeated("{\"model\":\"m\",\"max_tokens\":10,\"messages\":["
                        + "{\"role\":\"user\",\"content\":[", "{\"type\":\"tool_result\",\"tool_use_id\":\"t\"}", 700_000, "]}]}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tooManyValues")
    void aBodyOfTooManyValuesIsRefusedBeforeItIsBuilt(String attack, String body) throws Exception {
        for (String endpoint : new String[] {"/v1/messages", "/v1/messages/count_tokens"}) {
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + endpoint, body);
            HostileInputTest.assertAnthropicError(response, 413, "request_too_large");
            assertTrue(response.body().contains("JSON values") && response.body().contains("1000000"), response.body());
        }
        harness.upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    static Stream<Arguments> countsNoClientReaches() {
        String messages = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        return Stream.of(
                Arguments.of("100,001 messages", repeated("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[",
                        "{\"role\":\"user\",\"content\":\"a\"}", 100_001, "]}"), "at most 100000"),
                Arguments.of("100,001 content blocks", blocks(100_001), "at most 100000"),
                Arguments.of("10,001 tools", repeated(messages + ",\"tools\":[", "{\"name\":\"t\"}", 10_001, "]}"),
                        "at most 10000"),
                Arguments.of("1,001 stop sequences", repeated(messages + ",\"stop_sequences\":[", "\"s\"", 1_001, "]}"),
                        "at most 1000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("countsNoClientReaches")
    void countsNoClientReachesAreRefusedByName(String attack, String body, String limit) throws Exception {
        HttpResponse<String> response = harness.post(harness.route("/v1", "m") + "/v1/messages", body);
        HostileInputTest.assertAnthropicError(response, 400, "invalid_request_error");
        assertTrue(response.body().contains(limit), response.body());
        harness.upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    /** Found by RequestFuzzTest: a number whose exponent passes an int's range was a 500, not the client's 400. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1e99999999999", "-2E-99999999999", "99999999999999999999e9999999999999999999"})
    void aNumberWithAnExponentPastRangeIsRefused(String number) throws Exception {
        String body = "{\"model\":\"m\",\"max_tokens\":100,\"temperature\":" + number
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        for (String endpoint : new String[] {"/v1/messages", "/v1/messages/count_tokens"}) {
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + endpoint, body);
            HostileInputTest.assertAnthropicError(response, 400, "invalid_request_error");
            assertTrue(response.body().contains("not valid JSON: a number's exponent is out of range"), response.body());
        }
        harness.upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    @ParameterizedTest(name = "budget_tokens {0}")
    @ValueSource(strings = {"1e30", "2147483648", "-5", "1.5", "\"1024\""})
    void aThinkingBudgetPastTheRangeIsRefused(String budget) throws Exception {
        String body = "{\"model\":\"m\",\"max_tokens\":100,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":" + budget
                + "},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        for (String endpoint : new String[] {"/v1/messages", "/v1/messages/count_tokens"}) {
            HttpResponse<String> response = harness.post(harness.route("/v1", "m") + endpoint, body);
            HostileInputTest.assertAnthropicError(response, 400, "invalid_request_error");
            assertTrue(response.body().contains("thinking.budget_tokens"), response.body());
        }
        harness.upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aBodyIsChargedForItsValuesNotJustItsBytes() throws Exception {
        // 90,000 one-character cached blocks: 5 MB of JSON, 810,000 values, charged as 26 MB (about 100 MiB once parsed).
        String large = repeated("{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":[",
                "{\"type\":\"text\",\"text\":\"a\",\"cache_control\":{\"type\":\"ephemeral\"}}", 90_000, "]}]}");
        try (HoldingUpstream slow = new HoldingUpstream(Duration.ofSeconds(8), HoldingUpstream.streamAnswer());
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("MAX_REQUEST_BYTES_IN_FLIGHT", "30000000"))) {
            // Alone it is taken: 26 MB of the 30 MB budget.
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() ->
                    send(gateway, slow.route("m"), large.replace("\"max_tokens\":100", "\"max_tokens\":100,\"stream\":true")));
            // The first holds its share until the upstream answers, which it holds back for 8 s.
            for (long until = System.nanoTime() + 8_000_000_000L; slow.requests() == 0 && System.nanoTime() < until; ) {
                Thread.onSpinWait();
            }
            assertEquals(1, slow.requests(), "the first request reached the upstream");
            HttpResponse<String> second = send(gateway, slow.route("m"), large);
            HostileInputTest.assertAnthropicError(second, 529, "overloaded_error");
            assertTrue(second.body().contains("MAX_REQUEST_BYTES_IN_FLIGHT"), second.body());
            assertEquals(200, first.get().statusCode(), first.get().body());
        }
        try (EmbeddedGateway small = EmbeddedGateway.start("", Map.of("MAX_REQUEST_BYTES_IN_FLIGHT", "20000000"))) {
            HttpResponse<String> never = send(small, harness.route("/v1", "m"), large);
            HostileInputTest.assertAnthropicError(never, 413, "request_too_large");
            assertTrue(never.body().contains("MAX_REQUEST_BYTES_IN_FLIGHT"), never.body());
        }
    }

    private static HttpResponse<String> send(EmbeddedGateway gateway, String route, String body) {
        try {
            return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + route + "/v1/messages"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
