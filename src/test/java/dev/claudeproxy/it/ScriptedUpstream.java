package dev.claudeproxy.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream whose stream timing a test controls, and which notices when the gateway drops the
 * connection: it answers 200 with SSE headers at once, then writes {@code chunks} SSE chunks
 * {@code interval} apart. A failed write means the peer closed the connection.
 */
final class ScriptedUpstream implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger chunksWritten = new AtomicInteger();
    private final CountDownLatch connectionDropped = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    ScriptedUpstream(int chunks, Duration interval) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> stream(exchange, chunks, interval));
        server.start();
    }

    private void stream(HttpExchange exchange, int chunks, Duration interval) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < chunks; i++) {
                String chunk = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tick " + i + " \"}}]}\n\n";
                out.write(chunk.getBytes(StandardCharsets.UTF_8));
                out.flush();
                chunksWritten.incrementAndGet();
                Thread.sleep(interval.toMillis());
            }
            out.write("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException dropped) {
            connectionDropped.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finished.countDown();
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    int chunksWritten() {
        return chunksWritten.get();
    }

    /** Waits up to {@code limit} for the gateway to drop the connection; true if it did. */
    boolean awaitDropped(Duration limit) throws InterruptedException {
        return connectionDropped.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
