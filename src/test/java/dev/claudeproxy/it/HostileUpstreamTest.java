package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.SseTranscript;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Upstreams that answer without end or out of shape (issue 11, points 3 and 14): each ends in a
 * clear Anthropic error naming the bound that stopped it, the gateway drops the upstream
 * connection, and nothing an upstream sends is relayed unless it is a chat completion or an
 * error message the gateway can read.
 */
class HostileUpstreamTest {

    private static final int MAX_EVENT = 64 * 1024;
    private static final int MAX_ANSWER = 1024 * 1024;
    private static final String REQUEST = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":%s,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static EmbeddedGateway gateway;

    @BeforeAll
    static void start() {
        gateway = EmbeddedGateway.start("", Map.of("UPSTREAM_MAX_EVENT_BYTES", Integer.toString(MAX_EVENT),
                "UPSTREAM_MAX_ANSWER_BYTES", Integer.toString(MAX_ANSWER), "UPSTREAM_RETRIES", "0"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** An upstream that answers 200 with {@code head}, then writes {@code repeated} until the gateway hangs up. */
    static class EndlessUpstream implements AutoCloseable {
        private final HttpServer server;
        private final CountDownLatch dropped = new CountDownLatch(1);

        EndlessUpstream(String contentType, String head, String repeated) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newCachedThreadPool());
            byte[] again = repeated.getBytes(StandardCharsets.UTF_8);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().add("Content-Type", contentType);
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(head.getBytes(StandardCharsets.UTF_8));
                    for (long sent = 0; again.length > 0 && sent < 1L << 32; sent += again.length) {
                        out.write(again);
                    }
                } catch (IOException hungUp) {
                    dropped.countDown();
                }
            });
            server.start();
        }

        String route() {
            return "/http/127.0.0.1:" + server.getAddress().getPort() + "/v1/m";
        }

        boolean awaitDropped() throws InterruptedException {
            return dropped.await(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static final String ROLE = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";

    static Stream<Arguments> endlessStreams() {
        String text = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"more and more \"}}]}\n\n";
        String toolStart = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                + "\"function\":{\"name\":\"Write\",\"arguments\":\"{\\\"content\\\":\\\"\"}}]}}]}\n\n";
        String toolMore = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"function\":{\"arguments\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}]}}]}\n\n";
        return Stream.of(
                Arguments.of("one line that never ends", ROLE + "data: {\"choices\":", "x", "UPSTREAM_MAX_EVENT_BYTES"),
                Arguments.of("data lines that never end an event", ROLE, "data: {\"x\":1}\n", "UPSTREAM_MAX_EVENT_BYTES"),
                Arguments.of("tool arguments that never end", ROLE + toolStart, toolMore, "arguments pass " + MAX_EVENT),
                Arguments.of("endless valid text", ROLE, text, "UPSTREAM_MAX_ANSWER_BYTES"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endlessStreams")
    void anEndlessStreamEndsInAnErrorEventNamingItsBound(String rule, String head, String repeated, String named)
            throws Exception {
        try (EndlessUpstream upstream = new EndlessUpstream("text/event-stream", head, repeated)) {
            HttpResponse<String> response = post(upstream.route(), true);
            assertEquals(200, response.statusCode(), response.body());
            List<JsonObject> events = SseTranscript.events(response.body());
            assertEquals("message_start", events.get(0).getString("type"));
            JsonObject last = events.get(events.size() - 1);
            assertEquals("error", last.getString("type"), response.body().substring(0, Math.min(500, response.body().length())));
            assertEquals("api_error", last.getJsonObject("error").getString("type"));
            assertTrue(last.getJsonObject("error").getString("message").contains(named), last.toString());
            assertTrue(upstream.awaitDropped(), "the gateway hung up on the upstream");
        }
    }

    @Test
    void anEndlessJsonAnswerIsA502NamingItsBound() throws Exception {
        try (EndlessUpstream upstream = new EndlessUpstream("application/json",
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"", "aaaaaaaa")) {
            HttpResponse<String> response = post(upstream.route(), false);
            HostileInputTest.assertAnthropicError(response, 502, "api_error");
            assertTrue(response.body().contains("UPSTREAM_MAX_ANSWER_BYTES"), response.body());
            assertTrue(upstream.awaitDropped(), "the gateway hung up on the upstream");
        }
    }

    /** Issue 11, point 14: a 200 that is no chat completion (an internal page, say) is named, never relayed. */
    @Test
    void aBodyThatIsNoCompletionIsNeverRelayed() throws Exception {
        String page = "<html><body>Admin console. db_password=hunter2 token=sk-internal-123</body></html>";
        try (EndlessUpstream upstream = new FixedUpstream("text/html", page)) {
            HttpResponse<String> response = post(upstream.route(), false);
            HostileInputTest.assertAnthropicError(response, 502, "api_error");
            assertFalse(response.body().contains("hunter2") || response.body().contains("Admin"), response.body());
            assertTrue(response.body().contains("text/html"), response.body());
        }
    }

    /** An upstream that answers once with a whole body. */
    static final class FixedUpstream extends EndlessUpstream {
        FixedUpstream(String contentType, String body) throws IOException {
            super(contentType, body, "");
        }
    }

    private static HttpResponse<String> post(String route, boolean stream) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + route + "/v1/messages"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(String.format(REQUEST, stream))).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
