package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.claudeproxy.SseTranscript;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged WAR, unchanged, on the real Tomcat 10.1, Tomcat 11 and Jetty 12 (ee10)
 * distributions that {@code ./mvnw verify} unpacks from Maven Central: deployed both as ROOT and
 * under {@code /claude-proxy}, each serving a streamed request end to end. On Tomcat the
 * {@code tomcat/} kit is used as shipped (context descriptor with JNDI entries, {@code setenv.sh});
 * on Jetty the Haiku route comes from system properties on the java command line.
 */
class ServerMatrixIT {

    private static final String CONTEXT = "/claude-proxy";
    private static WireMockServer upstream;

    @TempDir
    Path base;

    @BeforeAll
    static void startUpstream() throws IOException {
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
        byte[] stream = GatewayHarness.fixture("openai-text");
        for (String path : List.of("/path/v1/chat/completions", "/haiku/v1/chat/completions")) {
            upstream.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "text/event-stream").withBody(stream)));
        }
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"matrix.tomcat10", "matrix.tomcat11", "matrix.jetty12"})
    void theWarServesStreamsAsRootAndUnderAContextPath(String server) throws Exception {
        Path home = Path.of(System.getProperty("matrix.servers"), System.getProperty(server));
        Path war = Path.of(System.getProperty("matrix.war"));
        assertTrue(Files.isDirectory(home), "unpacked by ./mvnw verify: " + home);
        int port = freePort();
        String haikuBase = "http://127.0.0.1:" + upstream.port() + "/haiku/v1";
        Process process = server.contains("jetty") ? startJetty(home, war, port, haikuBase) : startTomcat(home, war, port, haikuBase);
        Path log = base.resolve("server.log");
        try {
            awaitHealthy("http://127.0.0.1:" + port, process, log);
            awaitHealthy("http://127.0.0.1:" + port + CONTEXT, process, log);
            for (String context : List.of("", CONTEXT)) {
                upstream.resetRequests();
                String gateway = "http://127.0.0.1:" + port + context;
                HttpResponse<String> routed = stream(gateway + "/http/127.0.0.1:" + upstream.port() + "/path/v1/route-model",
                        "claude-sonnet-4-5");
                assertStreamed(routed, server + context, log);
                upstream.verify(postRequestedFor(urlEqualTo("/path/v1/chat/completions"))
                        .withRequestBody(matchingJsonPath("$.model", equalTo("route-model"))));

                HttpResponse<String> haiku = stream(gateway + "/http/127.0.0.1:" + upstream.port() + "/path/v1/route-model",
                        "claude-haiku-4-5");
                assertStreamed(haiku, server + context + " haiku", log);
                upstream.verify(postRequestedFor(urlEqualTo("/haiku/v1/chat/completions"))
                        .withRequestBody(matchingJsonPath("$.model", equalTo("small-model"))));
            }
        } finally {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        // A clean stop: Tomcat names every thread a webapp leaves running.
        String stopped = Files.readString(log);
        if (!server.contains("jetty")) {
            assertTrue(stopped.contains("Stopping service"), "the stop was logged" + tail(log));
        }
        assertTrue(!stopped.contains("appears to have started a thread"), "threads left behind" + tail(log));
    }

    private static void assertStreamed(HttpResponse<String> response, String where, Path log) throws IOException {
        assertEquals(200, response.statusCode(), where + ": " + response.body() + tail(log));
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"), where);
        List<String> transcript = SseTranscript.lines(response.body());
        assertEquals("message_start", transcript.get(0), where + ": " + response.body());
        assertEquals("message_stop", transcript.get(transcript.size() - 1), where + ": " + response.body());
    }

    private static HttpResponse<String> stream(String baseUrl, String model) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/messages?beta=true"))
                .header("content-type", "application/json").header("x-api-key", "sk-test")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":50,\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** CATALINA_HOME from the distribution, a fresh CATALINA_BASE with the kit and the WAR twice. */
    private Process startTomcat(Path home, Path war, int port, String haikuBase) throws IOException {
        for (String dir : List.of("conf/Catalina/localhost", "webapps", "logs", "temp", "work", "bin")) {
            Files.createDirectories(base.resolve(dir));
        }
        try (Stream<Path> conf = Files.list(home.resolve("conf"))) {
            for (Path file : conf.filter(Files::isRegularFile).toList()) {
                Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
            }
        }
        Path serverXml = base.resolve("conf/server.xml");
        Files.writeString(serverXml, Files.readString(serverXml)
                .replace("port=\"8005\"", "port=\"-1\"").replace("port=\"8080\"", "port=\"" + port + "\""));
        Files.copy(Path.of("tomcat/setenv.sh"), base.resolve("bin/setenv.sh"));
        String descriptor = Files.readString(Path.of("tomcat/claude-proxy.xml"))
                .replace("name=\"HAIKU_BASE_URL\" type=\"java.lang.String\" override=\"false\" value=\"\"",
                        "name=\"HAIKU_BASE_URL\" type=\"java.lang.String\" override=\"false\" value=\"" + haikuBase + "\"")
                .replace("name=\"HAIKU_MODEL_NAME\" type=\"java.lang.String\" override=\"false\" value=\"\"",
                        "name=\"HAIKU_MODEL_NAME\" type=\"java.lang.String\" override=\"false\" value=\"small-model\"")
                // The stand-in upstreams listen on loopback, which the gateway refuses unless the allowlist names it.
                .replace("name=\"UPSTREAM_ALLOWLIST\" type=\"java.lang.String\" override=\"false\" value=\"\"",
                        "name=\"UPSTREAM_ALLOWLIST\" type=\"java.lang.String\" override=\"false\" value=\"*,127.0.0.1\"");
        assertTrue(descriptor.contains(haikuBase), "the kit's Haiku entry was filled in");
        Files.writeString(base.resolve("conf/Catalina/localhost/claude-proxy.xml"), descriptor);
        Files.writeString(base.resolve("conf/Catalina/localhost/ROOT.xml"), descriptor);
        Files.copy(war, base.resolve("webapps/claude-proxy.war"));
        Files.copy(war, base.resolve("webapps/ROOT.war"));
        ProcessBuilder builder = new ProcessBuilder("bash", home.resolve("bin/catalina.sh").toString(), "run");
        builder.environment().put("CATALINA_HOME", home.toString());
        builder.environment().put("CATALINA_BASE", base.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("JRE_HOME");
        return builder.redirectErrorStream(true).redirectOutput(base.resolve("server.log").toFile()).start();
    }

    /** JETTY_HOME from the distribution, a fresh JETTY_BASE with the ee10-deploy module and the WAR twice. */
    private Process startJetty(Path home, Path war, int port, String haikuBase) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process setup = new ProcessBuilder(java, "-jar", home.resolve("start.jar").toString(),
                "--add-modules=ee10-deploy,http").directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(base.resolve("setup.log").toFile()).start();
        assertEquals(0, setup.waitFor(), Files.readString(base.resolve("setup.log")));
        Files.copy(war, base.resolve("webapps/claude-proxy.war"));
        Files.copy(war, base.resolve("webapps/ROOT.war"));
        List<String> command = new ArrayList<>(List.of(java, "-DHAIKU_BASE_URL=" + haikuBase, "-DUPSTREAM_ALLOWLIST=*,127.0.0.1",
                "-DHAIKU_MODEL_NAME=small-model", "-jar", home.resolve("start.jar").toString(), "jetty.http.port=" + port));
        return new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(base.resolve("server.log").toFile()).start();
    }

    private static void awaitHealthy(String gateway, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("server exited with " + process.exitValue() + tail(log));
            }
            try {
                HttpResponse<String> health = GatewayHarness.HTTP.send(HttpRequest.newBuilder(
                        URI.create(gateway + "/_proxy/ready")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(gateway + " did not become ready in 90 s" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return "\n--- server log ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
