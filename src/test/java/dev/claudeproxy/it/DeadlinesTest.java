package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.SseTranscript;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Every deadline of an exchange has one owner, the exchange's thread, and ends the exchange with
 * an error naming its setting (issue 11, point 5; issue 12, points 2 and 3): upstream silence
 * counted in events, not bytes; the whole exchange; the keep-alive ping counted from the last
 * byte the client received.
 */
class DeadlinesTest {

    private static final String STREAM = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String ROLE = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";

    private static HttpResponse<String> post(EmbeddedGateway gateway, String route) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + route + "/v1/messages"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject lastEvent(HttpResponse<String> response) {
        List<JsonObject> events = SseTranscript.events(response.body());
        return events.get(events.size() - 1);
    }

    @Test
    void bytesThatMakeNoEventDoNotKeepASilentUpstreamAlive() throws Exception {
        // One comment byte at a time: the connection is never idle, but no event ever comes.
        try (TestUpstream dripping = new TestUpstream(answer -> {
            answer.head(200, "text/event-stream").write(ROLE);
            for (int i = 0; i < 600; i++) {
                answer.write(i % 40 == 0 ? ":" : "x");
                answer.pause(Duration.ofMillis(100));
            }
        }); EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("UPSTREAM_READ_TIMEOUT_SECONDS", "1",
                "KEEPALIVE_SECONDS", "60"))) {
            HttpResponse<String> response = post(gateway, dripping.route("m"));
            JsonObject error = lastEvent(response).getJsonObject("error");
            assertEquals("timeout_error", error.getString("type"), response.body());
            assertTrue(error.getString("message").contains("UPSTREAM_READ_TIMEOUT_SECONDS"), error.toString());
            assertTrue(dripping.awaitDropped(), "the gateway hung up on the upstream");
        }
    }

    @Test
    void anUpstreamThatDripsEventsForeverIsCutAtTheExchangeDeadline() throws Exception {
        try (TestUpstream endless = new TestUpstream(answer -> {
            answer.head(200, "text/event-stream").write(ROLE);
            for (int i = 0; i < 600; i++) {
                answer.write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\".\"}}]}\n\n");
                answer.pause(Duration.ofMillis(100));
            }
        }); EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("EXCHANGE_TIMEOUT_SECONDS", "2"))) {
            HttpResponse<String> response = post(gateway, endless.route("m"));
            JsonObject error = lastEvent(response).getJsonObject("error");
            assertEquals("timeout_error", error.getString("type"), error.toString());
            assertTrue(error.getString("message").contains("EXCHANGE_TIMEOUT_SECONDS"), error.toString());
            assertTrue(endless.awaitDropped(), "the gateway hung up on the upstream");
        }
    }

    @Test
    void aSilentStreamIsPingedAndEveryPingFollowsTheLastByteByTheKeepAliveInterval() throws Exception {
        // The role chunk, then silence longer than three keep-alive intervals, then the answer.
        try (TestUpstream quiet = new TestUpstream(answer -> {
            answer.head(200, "text/event-stream").write(ROLE);
            answer.pause(Duration.ofMillis(3500));
            answer.write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"late\"},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: [DONE]\n\n");
        }); EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("KEEPALIVE_SECONDS", "1"))) {
            HttpResponse<String> response = post(gateway, quiet.route("m"));
            List<String> lines = SseTranscript.lines(response.body());
            long pings = SseTranscript.events(response.body()).stream()
                    .filter(event -> event.getString("type").equals("ping")).count();
            // Pings at about 1, 2 and 3 s of silence: never more than the silence allows, at least one.
            assertTrue(pings >= 2 && pings <= 3, lines.toString());
            assertEquals("message_stop", lines.get(lines.size() - 1), lines.toString());
        }
    }

    /**
     * Issue 12, point 2: the first ping used to come at 1.5 intervals, and bytes that made no event
     * counted as activity. Here the upstream drips comment bytes (no event) for 7 s: the client must
     * never wait longer than the interval, plus a scheduling margin, for its next byte.
     */
    @Test
    void pingsFollowTheLastByteTheClientReceivedWhileTheUpstreamDripsBytesThatMakeNoEvent() throws Exception {
        try (TestUpstream dripping = new TestUpstream(answer -> {
            answer.head(200, "text/event-stream").write(ROLE);
            for (int i = 0; i < 35; i++) {
                answer.pause(Duration.ofMillis(200));
                answer.write(": still here\n");
            }
            answer.write("\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"done\"},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: [DONE]\n\n");
        }); EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("KEEPALIVE_SECONDS", "2"))) {
            TimedStream timed = TimedStream.read(gateway, dripping.route("m"));
            assertTrue(timed.longestWait().compareTo(Duration.ofMillis(2000 + MARGIN_MILLIS)) <= 0, timed.toString());
            assertTrue(timed.pings() >= 2 && timed.pings() <= 4, timed.toString());
            List<String> lines = SseTranscript.lines(timed.body());
            assertEquals("message_stop", lines.get(lines.size() - 1), lines.toString());
        }
    }

    /**
     * Issue 12, point 5: one timer thread used to write every client's pings, so a client that
     * stopped reading, its socket full, held back every other client's pings. Here one client reads
     * nothing of a large answer while another's silent stream must still be pinged on time.
     */
    @Test
    void aClientThatStopsReadingDoesNotDelayAnotherClientsPings() throws Exception {
        String piece = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + "x".repeat(4000) + "\"}}]}\n\n";
        AtomicLong writingSince = new AtomicLong(); // when the write under way began; 0 between writes
        CountDownLatch allWritten = new CountDownLatch(1);
        try (TestUpstream flood = new TestUpstream(answer -> {
                answer.head(200, "text/event-stream").write(ROLE);
                for (int i = 0; i < 5_000; i++) { // 20 MB, far more than the sockets between hold
                    writingSince.set(System.nanoTime());
                    answer.write(piece);
                    writingSince.set(0);
                }
                allWritten.countDown(); // the gateway took it all in
                answer.pause(Duration.ofSeconds(30)); // then silence, which calls for pings
            });
             TestUpstream quiet = new TestUpstream(answer -> {
                answer.head(200, "text/event-stream").write(ROLE);
                answer.pause(Duration.ofMillis(4500));
                answer.write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"late\"},\"finish_reason\":\"stop\"}]}\n\n"
                        + "data: [DONE]\n\n");
            });
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("KEEPALIVE_SECONDS", "1",
                     "UPSTREAM_MAX_ANSWER_BYTES", String.valueOf(64 << 20)));
             Socket nonReader = new Socket()) {
            nonReader.setReceiveBufferSize(4096);
            nonReader.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
            byte[] request = STREAM.getBytes(StandardCharsets.UTF_8);
            nonReader.getOutputStream().write(("POST " + flood.route("m") + "/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + request.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            nonReader.getOutputStream().write(request);
            nonReader.getOutputStream().flush();
            // Everything between the flood and the non-reader is full once a write waits half a second.
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!allWritten.await(50, TimeUnit.MILLISECONDS)) {
                long since = writingSince.get();
                if (since != 0 && System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(500)) {
                    break;
                }
                assertTrue(System.nanoTime() - giveUp < 0, "the flood neither filled the sockets nor ended");
            }

            TimedStream timed = TimedStream.read(gateway, quiet.route("m"));
            assertTrue(timed.longestWait().compareTo(Duration.ofMillis(1000 + MARGIN_MILLIS)) <= 0, timed.toString());
            assertTrue(timed.pings() >= 3, timed.toString());
        }
    }

    /** Room for a loaded machine's scheduling, well under the half interval the old pings came late by. */
    private static final long MARGIN_MILLIS = 450;

    /** A stream read as it arrives, with the longest the client waited for a byte after the first. */
    record TimedStream(String body, Duration longestWait, long pings) {

        static TimedStream read(EmbeddedGateway gateway, String route) throws Exception {
            HttpResponse<InputStream> response = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                            URI.create(gateway.baseUrl() + route + "/v1/messages"))
                    .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(), HttpResponse.BodyHandlers.ofInputStream());
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            long longest = 0;
            long last = -1;
            try (InputStream in = response.body()) {
                byte[] buffer = new byte[8192];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    long now = System.nanoTime();
                    longest = last < 0 ? 0 : Math.max(longest, now - last);
                    last = now;
                    body.write(buffer, 0, n);
                }
            }
            String text = body.toString(StandardCharsets.UTF_8);
            long pings = SseTranscript.events(text).stream().filter(event -> event.getString("type").equals("ping")).count();
            return new TimedStream(text, Duration.ofNanos(longest), pings);
        }

        @Override
        public String toString() {
            return "longest wait " + longestWait.toMillis() + " ms, " + pings + " pings: " + body;
        }
    }
}
