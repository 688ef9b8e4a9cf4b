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
 * An upstream whose answer a test writes by hand, as slowly as it likes, and which notices when
 * the gateway drops the connection: {@link Script#answer} writes the answer, and a failed write or
 * flush means the gateway hung up. Counts the requests it received.
 */
final class TestUpstream implements AutoCloseable {

    /** Writes one answer; the status line and headers are sent with {@link Answer#head}. */
    @FunctionalInterface
    interface Script {
        void answer(Answer answer) throws IOException, InterruptedException;
    }

    /** The answer under way. */
    static final class Answer {
        private final HttpExchange exchange;
        private OutputStream out;

        Answer(HttpExchange exchange) {
            this.exchange = exchange;
        }

        Answer head(int status, String contentType) throws IOException {
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.sendResponseHeaders(status, 0);
            out = exchange.getResponseBody();
            return this;
        }

        Answer write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return this;
        }

        void pause(Duration pause) throws InterruptedException {
            Thread.sleep(pause.toMillis());
        }
    }

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch dropped = new CountDownLatch(1);

    TestUpstream(Script script) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            try {
                script.answer(new Answer(exchange));
            } catch (IOException hungUp) {
                dropped.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    String route(String model) {
        return "/http/127.0.0.1:" + server.getAddress().getPort() + "/v1/" + model;
    }

    int requests() {
        return requests.get();
    }

    /** Waits up to 10 s for the gateway to drop the connection; true if it did. */
    boolean awaitDropped() throws InterruptedException {
        return dropped.await(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
