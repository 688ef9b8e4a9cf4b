package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.EmbeddedGateway;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What many connections can take (issue 11, points 4, 6 and 7): one admission limit for calls, a
 * budget for the request bytes they hold, workers started on demand, and request bodies read
 * without holding a thread, within a deadline and a minimum rate. Past a limit the answer is a
 * clear error at once, never a wait, and other requests (and health checks) carry on.
 */
class AdmissionTest {

    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}]}";

    private static String body(int textBytes) {
        return "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(textBytes)
                + "\"}]}";
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(EmbeddedGateway gateway, String path, String body) {
        return GatewayHarness.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An upstream that holds every answer until the test lets it go. */
    private static TestUpstream held(CountDownLatch arrived, CountDownLatch release) throws Exception {
        return new TestUpstream(answer -> {
            arrived.countDown();
            release.await(30, TimeUnit.SECONDS);
            answer.head(200, "application/json").write(COMPLETION);
        });
    }

    @Test
    void pastTheAdmissionLimitACallIsRefusedAtOnceWith529() throws Exception {
        CountDownLatch arrived = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        try (TestUpstream upstream = held(arrived, release);
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("MAX_CONCURRENT_EXCHANGES", "2"))) {
            String messages = upstream.route("m") + "/v1/messages";
            List<CompletableFuture<HttpResponse<String>>> running = List.of(postAsync(gateway, messages, body(10)),
                    postAsync(gateway, messages, body(10)));
            assertTrue(arrived.await(10, TimeUnit.SECONDS), "both calls reached the upstream");
            HttpResponse<String> third = postAsync(gateway, messages, body(10)).get(10, TimeUnit.SECONDS);
            HostileInputTest.assertAnthropicError(third, 529, "overloaded_error");
            assertTrue(third.body().contains("MAX_CONCURRENT_EXCHANGES"), third.body());
            HttpResponse<String> counting = postAsync(gateway, upstream.route("m") + "/v1/messages/count_tokens",
                    body(10)).get(10, TimeUnit.SECONDS);
            HostileInputTest.assertAnthropicError(counting, 529, "overloaded_error");
            release.countDown();
            for (CompletableFuture<HttpResponse<String>> call : running) {
                assertEquals(200, call.get(10, TimeUnit.SECONDS).statusCode());
            }
            assertEquals(200, postAsync(gateway, messages, body(10)).get(10, TimeUnit.SECONDS).statusCode(),
                    "places are given back");
        }
    }

    @Test
    void requestBytesInFlightHaveOneBudgetAcrossAllCalls() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TestUpstream upstream = held(arrived, release);
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("MAX_REQUEST_BYTES_IN_FLIGHT", "100000",
                     "MAX_REQUEST_BYTES", "80000"))) {
            String messages = upstream.route("m") + "/v1/messages";
            CompletableFuture<HttpResponse<String>> first = postAsync(gateway, messages, body(60_000));
            assertTrue(arrived.await(10, TimeUnit.SECONDS), "the first call holds its bytes while the upstream thinks");
            HttpResponse<String> second = postAsync(gateway, messages, body(60_000)).get(10, TimeUnit.SECONDS);
            HostileInputTest.assertAnthropicError(second, 529, "overloaded_error");
            assertTrue(second.body().contains("MAX_REQUEST_BYTES_IN_FLIGHT"), second.body());
            assertEquals(200, postAsync(gateway, messages + "/count_tokens", body(1000)).get(10, TimeUnit.SECONDS)
                    .statusCode(), "a small one still fits");
            release.countDown();
            assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
            assertEquals(200, postAsync(gateway, messages, body(60_000)).get(10, TimeUnit.SECONDS).statusCode(),
                    "the budget is given back when the upstream has answered");
        }
    }

    @Test
    void aRequestLimitLargerThanTheBudgetFailsTheDeployment() {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("MAX_REQUEST_BYTES_IN_FLIGHT", "1000",
                "MAX_REQUEST_BYTES", "2000"))) {
            assertTrue(!gateway.available(), "no request that large could ever be taken");
        }
    }

    @Test
    void workersAreStartedOnDemand() throws Exception {
        try (TestUpstream upstream = new TestUpstream(answer -> answer.head(200, "application/json").write(COMPLETION));
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, postAsync(gateway, upstream.route("m") + "/v1/messages", body(10))
                        .get(10, TimeUnit.SECONDS).statusCode());
            }
            long workers = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().startsWith("claude-proxy-exchange-")).count();
            assertTrue(workers <= 2, "calls one after another need one worker or two, not the limit's 512: " + workers);
        }
    }

    /** A client that sends its body one byte at a time, a second apart, and never finishes. */
    private static Socket slowBody(EmbeddedGateway gateway, String path) throws Exception {
        Socket socket = new Socket("127.0.0.1", gateway.port());
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 5000\r\n\r\n{").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return socket;
    }

    @Test
    void slowBodiesHoldNoThreadAndEndIn408() throws Exception {
        try (TestUpstream upstream = new TestUpstream(answer -> answer.head(200, "application/json").write(COMPLETION));
             EmbeddedGateway gateway = EmbeddedGateway.withContainerThreads(4, Map.of("CLIENT_BODY_TIMEOUT_SECONDS", "3",
                     "MAX_CONCURRENT_EXCHANGES", "4"))) {
            List<Socket> slow = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                slow.add(slowBody(gateway, upstream.route("m") + (i % 2 == 0 ? "/v1/messages" : "/v1/messages/count_tokens")));
            }
            // Twenty bodies arriving, four container threads, four places: everyone else is still served.
            HttpResponse<String> health = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                    URI.create(gateway.baseUrl() + "/_proxy/health")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals(200, postAsync(gateway, upstream.route("m") + "/v1/messages", body(10))
                    .get(10, TimeUnit.SECONDS).statusCode());
            for (Socket socket : slow) {
                String answer = new String(socket.getInputStream().readNBytes(400), StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                assertTrue(answer.contains("CLIENT_BODY_TIMEOUT_SECONDS"), answer);
                socket.close();
            }
        }
    }

    @Test
    void aBodyArrivingSlowerThanTheMinimumRateIsCutOff() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("CLIENT_BODY_MIN_BYTES_PER_SECOND", "1000"))) {
            try (Socket socket = slowBody(gateway, "/http/127.0.0.1:9/v1/m/v1/messages")) {
                OutputStream out = socket.getOutputStream();
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(1000);
                    out.write('"');
                    out.flush();
                }
                String answer = new String(socket.getInputStream().readNBytes(400), StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                assertTrue(answer.contains("CLIENT_BODY_MIN_BYTES_PER_SECOND"), answer);
            }
        }
    }
}
