package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.Postgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 26: two gateway nodes (two webapps) on one PostgreSQL hold one budget between them, and a
 * database outage delays and fails no request and loses no exchange.
 */
class LedgerAcrossNodesTest {

    /** 1,000 input and 500 output tokens at 2.00 and 8.00 a million: 0.006 USD an exchange. */
    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":500}}";

    @TempDir
    static Path scratch;
    private static Postgres postgres;
    private static WireMockServer upstream;
    private static EmbeddedGateway one;
    private static EmbeddedGateway two;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        postgres = Postgres.start();
        url = postgres.createDatabase("claude_proxy");
        upstream = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlPathEqualTo("/v1/chat/completions")).willReturn(okJson(COMPLETION)));
        Path policy = Files.writeString(scratch.resolve("policy.conf"), """
                [prices]
                127.0.0.1/gpt-4.1 = 2.00, 0.50, 8.00

                [user ada]
                budget_per_day = 0.03 USD
                """);
        Map<String, String> settings = Map.of("CLIENT_AUTH", "header", "POLICY_FILE", policy.toString(),
                "LEDGER_JDBC_URL", url);
        one = EmbeddedGateway.start("", settings);
        two = EmbeddedGateway.start("", settings);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable each : new AutoCloseable[] {one, two}) {
            if (each != null) {
                each.close();
            }
        }
        if (upstream != null) {
            upstream.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static int messages(EmbeddedGateway node, String user) throws Exception {
        return GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/http/127.0.0.1:"
                        + upstream.port() + "/v1/gpt-4.1/v1/messages")).header("content-type", "application/json")
                .header("X-Forwarded-User", user).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\","
                        + "\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** Waits until a node's counters have ada's daily spend at {@code spent} (within its flush and refresh). */
    private static void awaitSpent(EmbeddedGateway node, String spent) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!spentAsSeenBy(node).equals(spent) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(spent, spentAsSeenBy(node), "the node counts both nodes' spend");
    }

    /** Ada's daily spend as a node's counters have it. */
    private static String spentAsSeenBy(EmbeddedGateway node) throws Exception {
        String mine = GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/_proxy/usage/me"))
                .header("X-Forwarded-User", "ada").build(), HttpResponse.BodyHandlers.ofString()).body();
        return GatewayHarness.json(mine).getJsonArray("budgets").getJsonObject(0).getString("spent");
    }

    private static long rows(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }

    @Test
    void twoNodesOnOneDatabaseHoldOneBudgetBetweenThem() throws Exception {
        // 0.03 USD: five exchanges of 0.006, spent on both nodes.
        for (int i = 0; i < 3; i++) {
            assertEquals(200, messages(one, "ada"));
        }
        assertEquals(200, messages(two, "ada"));
        // Node two learns node one's spend within node one's flush and its own refresh (about three seconds).
        awaitSpent(two, "0.024000");
        assertEquals(200, messages(two, "ada"), "0.024 of 0.03: one more fits");
        assertEquals(429, messages(two, "ada"), "0.030 of 0.03: spent");
        awaitSpent(one, "0.030000");
        assertEquals(429, messages(one, "ada"), "and node one refuses too, once it has read node two's spend");
        assertEquals(200, messages(one, "bob"), "others are not held to ada's budget");
    }

    @Test
    void aDatabaseOutageDelaysNoRequestAndLosesNoExchange() throws Exception {
        long before = rows("SELECT COUNT(*) FROM ledger_entry WHERE user_name = 'carol'");
        postgres.pause();
        try {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, messages(i % 2 == 0 ? one : two, "carol"), "served while the database is down");
            }
        } finally {
            postgres.resume();
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (rows("SELECT COUNT(*) FROM ledger_entry WHERE user_name = 'carol'") < before + 5 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertEquals(before + 5, rows("SELECT COUNT(*) FROM ledger_entry WHERE user_name = 'carol'"),
                "every exchange written once the database was back");
    }
}
