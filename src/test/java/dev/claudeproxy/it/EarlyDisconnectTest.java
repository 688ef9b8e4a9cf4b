package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.SseTranscript;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, point 6: a stream whose client leaves before its upstream answers no longer keeps the
 * upstream busy. No servlet container reports a departed client until something is written to it,
 * so a stream is committed and pinged once its client has had nothing for the keep-alive interval;
 * the ping that cannot be written finds the client gone, and the upstream call stops, in whatever
 * phase it is. Bounds here are generous for a loaded machine, and far below the upstream's hold.
 */
class EarlyDisconnectTest {

    private static final String STREAM = "{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    /** How long the upstream holds its answer back: the call would stay open that long before. */
    private static final Duration HOLD = Duration.ofSeconds(30);
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final int HELD_STREAMS = 8;

    /** Sends a stream request on a socket of its own; the caller leaves by closing it. */
    private static Socket send(EmbeddedGateway gateway, String route) throws IOException {
        Socket client = new Socket("127.0.0.1", gateway.port());
        byte[] body = STREAM.getBytes(StandardCharsets.UTF_8);
        OutputStream out = client.getOutputStream();
        out.write(("POST " + route + "/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return client;
    }

    @Test
    void aClientThatLeavesBeforeTheUpstreamAnswersEndsTheUpstreamCall() throws Exception {
        try (HoldingUpstream upstream = new HoldingUpstream(HOLD, HoldingUpstream.streamAnswer());
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            Socket client = send(gateway, upstream.route("m"));
            Thread.sleep(500); // the request is in, the upstream is holding its answer
            leaveAndAwaitTheUpstreamCallsEnd(client, upstream, "before the head");
            assertEquals(1, upstream.requests());
            awaitNoExchange(gateway);
        }
    }

    @Test
    void aClientThatLeavesWhileTheStreamIsCommittedButSilentEndsTheUpstreamCall() throws Exception {
        try (HoldingUpstream upstream = new HoldingUpstream(HOLD, HoldingUpstream.streamAnswer());
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            Socket client = send(gateway, upstream.route("m"));
            client.setSoTimeout((int) BOUND.toMillis());
            String head = readUntil(client.getInputStream(), "event: ping");
            assertTrue(head.startsWith("HTTP/1.1 200 "), "the stream was committed: " + head);
            assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("content-type: text/event-stream"), head);
            leaveAndAwaitTheUpstreamCallsEnd(client, upstream, "after the commit");
            awaitNoExchange(gateway);
        }
    }

    @Test
    void aClientThatLeavesWhileTheGatewayWaitsToRetryEndsTheExchangeWithoutAnotherCall() throws Exception {
        // The upstream says 503, come back in 20 s; the gateway would wait to retry.
        try (HoldingUpstream upstream = new HoldingUpstream(Duration.ZERO,
                HoldingUpstream.errorAnswer(503, "Retry-After: 20\r\n"));
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("UPSTREAM_RETRY_MAX_WAIT_SECONDS", "30"))) {
            Socket client = send(gateway, upstream.route("m"));
            Thread.sleep(500);
            client.close();
            awaitNoExchange(gateway);
            assertEquals(1, upstream.requests(), "no retry for a client that has left");
        }
    }

    @Test
    void whileEveryPlaceIsTakenReadinessSaysSoAndRecoversWhenTheClientsLeave() throws Exception {
        try (HoldingUpstream upstream = new HoldingUpstream(HOLD, HoldingUpstream.streamAnswer());
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("MAX_CONCURRENT_EXCHANGES", "2"))) {
            assertEquals(200, ready(gateway).statusCode());
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                clients.add(send(gateway, upstream.route("m")));
            }
            HttpResponse<String> full = awaitReady(gateway, 503);
            assertEquals("full", GatewayHarness.json(full.body()).getString("status"), full.body());
            assertEquals(0, GatewayHarness.json(full.body()).getInt("free_places"), full.body());
            HttpResponse<String> refused = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
                    + upstream.route("m") + "/v1/messages")).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(529, refused.statusCode(), refused.body());
            for (Socket client : clients) {
                client.close();
            }
            awaitReady(gateway, 200);
        }
    }

    @Test
    void aFailureWithinTheKeepAliveIntervalStaysAnHttpErrorAndALaterOneIsAnErrorEventAfterPings() throws Exception {
        try (HoldingUpstream fast = new HoldingUpstream(Duration.ZERO, HoldingUpstream.errorAnswer(429, ""));
             HoldingUpstream slow = new HoldingUpstream(Duration.ofMillis(3500), HoldingUpstream.errorAnswer(529, ""));
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("UPSTREAM_RETRIES", "0"))) {
            HttpResponse<String> early = post(gateway, fast.route("m"));
            assertEquals(429, early.statusCode(), early.body());
            assertEquals("rate_limit_error", GatewayHarness.json(early.body()).getJsonObject("error").getString("type"));

            HttpResponse<String> late = post(gateway, slow.route("m"));
            assertEquals(200, late.statusCode(), late.body());
            List<JsonObject> events = SseTranscript.events(late.body());
            assertTrue(events.size() >= 2 && events.get(0).getString("type").equals("ping"), late.body());
            JsonObject last = events.get(events.size() - 1);
            assertEquals("error", last.getString("type"), late.body());
            assertEquals("overloaded_error", last.getJsonObject("error").getString("type"), late.body());
            assertTrue(events.stream().noneMatch(event -> event.getString("type").equals("message_start")), late.body());
        }
    }

    /**
     * Issue 28: an open exchange holds one thread of the gateway, its own, which sends the request,
     * reads the answer and writes it; the upstream call has no reader thread of its own, and the
     * deadlines one clock for the whole webapp. Counted by name while streams wait on an upstream
     * that holds its answers back (with the call's own reader, each stream held two).
     */
    @Test
    void anOpenStreamHoldsOneThreadOfTheGateway() throws Exception {
        assumeTrue(Runtime.version().feature() < 21, "on Java 21+ the exchanges run on virtual threads, which are not listed");
        try (HoldingUpstream upstream = new HoldingUpstream(Duration.ofSeconds(30), HoldingUpstream.streamAnswer());
             // No pings while the streams wait: their writers would be counted with the exchanges.
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("KEEPALIVE_SECONDS", "600"))) {
            long before = gatewayThreads();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < HELD_STREAMS; i++) {
                    clients.add(send(gateway, upstream.route("m")));
                }
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (upstream.requests() < HELD_STREAMS && System.nanoTime() - end < 0) {
                    Thread.sleep(20);
                }
                assertEquals(HELD_STREAMS, upstream.requests(), "every stream's call reached the upstream");
                long during = gatewayThreads() - before;
                assertTrue(during >= HELD_STREAMS, "each stream runs on a thread of its own: " + during + " " + names());
                assertTrue(during <= HELD_STREAMS + 1, HELD_STREAMS + " open streams hold " + during
                        + " more threads of the gateway, one each and the clock at most: " + names());
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }

    /** The client leaves; the upstream call must end within the bound (how soon is printed, for the record). */
    private static void leaveAndAwaitTheUpstreamCallsEnd(Socket client, HoldingUpstream upstream, String phase)
            throws Exception {
        long left = System.nanoTime();
        client.close();
        OptionalLong closed = upstream.awaitClosed(BOUND);
        assertTrue(closed.isPresent(), "the upstream call was still open " + BOUND.toSeconds() + " s after the client left");
        System.out.printf("upstream call ended %d ms after the client left (%s)%n",
                TimeUnit.NANOSECONDS.toMillis(closed.getAsLong() - left), phase);
    }

    private static HttpResponse<String> post(EmbeddedGateway gateway, String route) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + route + "/v1/messages"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> ready(EmbeddedGateway gateway) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/_proxy/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> awaitReady(EmbeddedGateway gateway, int status) throws Exception {
        long end = System.nanoTime() + BOUND.toNanos();
        HttpResponse<String> response = ready(gateway);
        while (response.statusCode() != status && System.nanoTime() - end < 0) {
            Thread.sleep(50);
            response = ready(gateway);
        }
        assertEquals(status, response.statusCode(), response.body());
        return response;
    }

    /** Waits for every exchange to have ended, within the bound. */
    private static void awaitNoExchange(EmbeddedGateway gateway) throws Exception {
        long end = System.nanoTime() + BOUND.toNanos();
        String body = ready(gateway).body();
        while (GatewayHarness.json(body).getInt("active_exchanges") != 0 && System.nanoTime() - end < 0) {
            Thread.sleep(50);
            body = ready(gateway).body();
        }
        assertEquals(0, GatewayHarness.json(body).getInt("active_exchanges"), body);
    }

    private static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder seen = new StringBuilder();
        for (int b = in.read(); b >= 0; b = in.read()) {
            seen.append((char) b);
            if (seen.indexOf(marker) >= 0) {
                return seen.toString();
            }
        }
        return seen.toString();
    }

    /** The live threads the gateway made (its own name them {@code claude-proxy-...}). */
    private static long gatewayThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().startsWith("claude-proxy-")).count();
    }

    private static List<String> names() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("claude-proxy-")).sorted().toList();
    }
}
