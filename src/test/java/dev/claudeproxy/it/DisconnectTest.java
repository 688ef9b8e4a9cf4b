package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.EmbeddedGateway;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client that leaves mid-stream makes the gateway close its upstream connection, so no work goes on for nobody. */
class DisconnectTest {

    @Test
    void clientDisconnectClosesTheUpstreamConnection() throws Exception {
        int chunks = 400;
        try (ScriptedUpstream upstream = new ScriptedUpstream(chunks, Duration.ofMillis(50));
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            String body = "{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            try (Socket client = new Socket("127.0.0.1", gateway.port())) {
                OutputStream out = client.getOutputStream();
                out.write(("POST /http/127.0.0.1:" + upstream.port() + "/v1/m/v1/messages HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.contains("tick 2 ")) {
                        break;
                    }
                }
            }
            // A generous bound for a loaded machine; the stream would otherwise run for 20 s.
            assertTrue(upstream.awaitDropped(Duration.ofSeconds(10)), "gateway kept the upstream stream open");
            assertTrue(upstream.chunksWritten() < chunks, "upstream wrote its whole stream: " + upstream.chunksWritten());
            // And the exchange has ended, whichever of the gateway and the container completed the request.
            String metrics = "";
            for (long deadline = System.nanoTime() + 10_000_000_000L; System.nanoTime() < deadline; Thread.sleep(50)) {
                try {
                    metrics = GatewayHarness.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            gateway.baseUrl() + "/_proxy/metrics")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                } catch (java.io.IOException pooledConnectionClosed) {
                    continue;
                }
                if (metrics.contains("claude_proxy_active_exchanges 0")) {
                    break;
                }
            }
            assertTrue(metrics.contains("claude_proxy_active_exchanges 0"), metrics);
        }
    }

    @Test
    void aBodyCutShortOfItsLengthIsAnErrorNeverA200() throws Exception {
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of())) {
            try (Socket client = new Socket("127.0.0.1", gateway.port())) {
                client.setSoTimeout(10_000);
                OutputStream out = client.getOutputStream();
                out.write(("POST /http/127.0.0.1:9/v1/m/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"model\":")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                // The body stops short of its declared length, but the connection stays open for the answer.
                client.shutdownOutput();
                String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                // By timing, Tomcat answers 400 or 500 for a body that ends early, or closes the connection when
                // it sees the half-close first: each is an error to the client, where a 2xx would read as an answer.
                assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 400 ") || answer.startsWith("HTTP/1.1 500 "),
                        answer);
            }
        }
    }
}
