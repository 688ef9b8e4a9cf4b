package dev.claudeproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An answer closed before its body ended, as when the exchange ends a stream at one of its bounds:
 * its connection is dropped at once, never drained (the upstream may not end), and nothing fails.
 * (When a second thread read the body, a close that drained it while that thread read corrupted the
 * connection's buffer: IndexOutOfBoundsException, seen once in {@code HostileUpstreamTest}.)
 */
class UpstreamAnswerTest {

    @Test
    void closingAnAnswerWhileItsBodyIsReadFailsNothingAndDropsTheConnection() throws Exception {
        byte[] chunk = ("data: " + "x".repeat(4000) + "\n\n").getBytes(StandardCharsets.UTF_8);
        HttpServer endless = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ExecutorService serverThreads = Executors.newCachedThreadPool();
        endless.setExecutor(serverThreads);
        endless.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 100_000; i++) {
                    out.write(chunk);
                }
            } catch (IOException dropped) {
                // the gateway hung up: what it should do
            }
        });
        endless.start();
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        CallClock clock = new CallClock(work -> {
            Thread thread = new Thread(work, "test-clock");
            thread.setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
            return thread;
        }, Runnable::run);
        URI uri = URI.create("http://127.0.0.1:" + endless.getAddress().getPort() + "/v1/chat/completions");
        try (UpstreamClient client = new UpstreamClient(Duration.ofSeconds(5), (host, port, address) -> Optional.empty(),
                clock)) {
            for (int i = 0; i < 200; i++) {
                UpstreamCall call = client.prepare(uri, Optional.empty(), "Authorization", "{}".getBytes(StandardCharsets.UTF_8),
                        true, false, Long.MAX_VALUE, Duration.ofSeconds(30));
                UpstreamAnswer answer = call.awaitHead(System.nanoTime() + TimeUnit.SECONDS.toNanos(10), Duration.ofSeconds(10),
                        Heartbeat.NONE);
                assertEquals(200, answer.status());
                assertInstanceOf(UpstreamAnswer.Data.class, answer.next(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)));
                answer.close(); // with the rest unread: must throw nothing, and must not wait for an end that never comes
            }
        } finally {
            clock.close();
            endless.stop(0);
            serverThreads.shutdownNow();
        }
        assertTrue(uncaught.isEmpty(), "readers failed: " + uncaught);
    }
}
