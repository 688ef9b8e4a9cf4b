package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.claudeproxy.EmbeddedGateway;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** A WireMock upstream and the gateway on embedded Tomcat, for one test class. */
final class GatewayHarness implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    final WireMockServer upstream;
    final EmbeddedGateway gateway;

    GatewayHarness(String contextPath, Map<String, String> contextParams) {
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
        gateway = EmbeddedGateway.start(contextPath, contextParams);
    }

    /** The gateway route prefix for the WireMock upstream under {@code upstreamPath} with {@code model}. */
    String route(String upstreamPath, String model) {
        return "/http/127.0.0.1:" + upstream.port() + upstreamPath + "/" + model;
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A recorded-shape upstream stream from src/test/resources/streams. */
    static byte[] fixture(String name) {
        try (java.io.InputStream in = GatewayHarness.class.getResourceAsStream("/streams/" + name + ".sse")) {
            return in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("no stream fixture " + name, e);
        }
    }

    /** The official Anthropic SDK pointed at a gateway route, without retries (a test sees the first answer). */
    static com.anthropic.client.AnthropicClient sdk(String baseUrl, String key) {
        return com.anthropic.client.okhttp.AnthropicOkHttpClient.builder().baseUrl(baseUrl).apiKey(key).maxRetries(0).build();
    }

    static JsonObject json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    @Override
    public void close() {
        gateway.close();
        upstream.stop();
    }
}
