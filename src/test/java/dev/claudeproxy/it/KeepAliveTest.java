package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.SseTranscript;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** While the upstream is silent, a started stream carries ping events, which every SDK skips. */
class KeepAliveTest {

    @Test
    void silentUpstreamGetsPingsBetweenEvents() throws Exception {
        try (ScriptedUpstream slow = new ScriptedUpstream(2, Duration.ofMillis(2600));
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("KEEPALIVE_SECONDS", "1"))) {
            HttpResponse<String> response = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
                            + "/http/127.0.0.1:" + slow.port() + "/v1/m/v1/messages"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            int firstTick = body.indexOf("tick 0");
            int secondTick = body.indexOf("tick 1");
            assertTrue(body.substring(firstTick, secondTick).contains("event: ping\ndata: {\"type\":\"ping\"}"),
                    "a ping in the 2.6 s gap: " + body);
            // Pings aside, the stream is the usual exact sequence.
            assertEquals(List.of("message_start", "start 0 text", "delta 0 text tick 0 ", "delta 0 text tick 1 ", "stop 0"),
                    SseTranscript.lines(body).subList(0, 5));
        }
    }
}
