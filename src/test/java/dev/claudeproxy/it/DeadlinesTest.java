package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.SseTranscript;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
}
