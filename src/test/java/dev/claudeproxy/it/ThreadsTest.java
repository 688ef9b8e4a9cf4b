package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claudeproxy.EmbeddedGateway;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 28: an open exchange holds one thread of the gateway, its own, which sends the request,
 * reads the answer and writes it; the upstream call has no reader thread of its own, and the
 * deadlines one clock for the whole webapp. Counted by name while streams wait on an upstream
 * that holds its answers back (with the call's own reader, each stream held two).
 */
class ThreadsTest {

    private static final int STREAMS = 8;
    private static final String STREAM = "{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void anOpenStreamHoldsOneThreadOfTheGateway() throws Exception {
        assumeTrue(Runtime.version().feature() < 21, "on Java 21+ the exchanges run on virtual threads, which are not listed");
        try (HoldingUpstream upstream = new HoldingUpstream(Duration.ofSeconds(30), HoldingUpstream.streamAnswer());
             // No pings while the streams wait: their writers would be counted with the exchanges.
             EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("KEEPALIVE_SECONDS", "600"))) {
            long before = gatewayThreads();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < STREAMS; i++) {
                    clients.add(send(gateway, upstream.route("m")));
                }
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (upstream.requests() < STREAMS && System.nanoTime() - end < 0) {
                    Thread.sleep(20);
                }
                assertEquals(STREAMS, upstream.requests(), "every stream's call reached the upstream");
                long during = gatewayThreads() - before;
                assertTrue(during >= STREAMS, "each stream runs on a thread of its own: " + during + " " + names());
                assertTrue(during <= STREAMS + 1, STREAMS + " open streams hold " + during
                        + " more threads of the gateway, one each and the clock at most: " + names());
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }

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

    /** The live threads the gateway made (its own name them {@code claude-proxy-...}). */
    private static long gatewayThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().startsWith("claude-proxy-")).count();
    }

    private static List<String> names() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("claude-proxy-")).sorted().toList();
    }
}
