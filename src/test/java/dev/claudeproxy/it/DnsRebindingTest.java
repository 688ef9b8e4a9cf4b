package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.claudeproxy.EmbeddedGateway;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding across retries (issue 11, point 16): a name that resolves to an allowed address
 * for the first attempt and to the gateway's own machine for the retry must not get the retry
 * through. Runs in a JVM of its own ({@code ./mvnw verify}, execution {@code dns-rebinding}) whose
 * resolver reads a hosts file this test rewrites, with no address cache: the name's owner changes
 * its answer between two connections, as an attacker's DNS server would.
 */
class DnsRebindingTest {

    private static final String NAME = "rebind.test";

    @Test
    void aRetryThatWouldReachARebindedAddressIsRefused() throws Exception {
        Path hosts = Path.of(System.getProperty("jdk.net.hosts.file"));
        Files.writeString(hosts, "127.0.0.2 " + NAME + "\n");
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger internalCalls = new AtomicInteger();
        // The allowed address answers 503 and closes the connection, so the retry must connect (and resolve) anew.
        HttpServer allowed = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
        allowed.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            attempts.incrementAndGet();
            // The attacker's DNS now answers with the gateway's own machine.
            Files.writeString(hosts, "127.0.0.1 " + NAME + "\n");
            byte[] body = "{\"error\":{\"message\":\"busy\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Connection", "close");
            exchange.sendResponseHeaders(503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        allowed.start();
        int port = allowed.getAddress().getPort();
        HttpServer internal = internalOn(port, internalCalls);
        try (EmbeddedGateway gateway = EmbeddedGateway.start("", Map.of("UPSTREAM_ALLOWLIST", "*,127.0.0.2/32",
                "UPSTREAM_RETRIES", "2", "UPSTREAM_RETRY_MAX_WAIT_SECONDS", "1"))) {
            HttpResponse<String> response = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
                    + "/http/" + NAME + ":" + port + "/v1/m/v1/messages")).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"max_tokens\":10,\"messages\":"
                            + "[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(1, attempts.get(), "the first attempt reached the allowed address");
            assertEquals(0, internalCalls.get(), "no retry reached the gateway's own machine");
            HostileInputTest.assertAnthropicError(response, 403, "permission_error");
            assertTrue(response.body().contains("UPSTREAM_ALLOWLIST"), response.body());
        } finally {
            allowed.stop(0);
            internal.stop(0);
        }
    }

    /** An internal service on the gateway's own machine, on the same port as the allowed upstream. */
    private static HttpServer internalOn(int port, AtomicInteger calls) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (BindException taken) {
            throw new IllegalStateException("port " + port + " is taken on 127.0.0.1; run again", taken);
        }
        server.createContext("/", exchange -> {
            calls.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }
}
