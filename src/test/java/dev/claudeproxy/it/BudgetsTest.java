package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 26 through the WAR: the policy's budgets, rate limits and models, refused as Claude Code
 * shows them; the standing of a budget on each answer; the ledger's usage for administrators, for
 * each user, and for Claude Code's {@code /usage}. The users come from an SSO front's headers.
 */
class BudgetsTest {

    /** 1,000 input and 500 output tokens at 2.00 and 8.00 a million: 0.006 USD an exchange. */
    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":500}}";
    private static final String POLICY = """
            [prices]
            127.0.0.1/gpt-4.1 = 2.00, 0.50, 8.00

            [everyone]
            models = 127.0.0.1/gpt-4.1, 127.0.0.1/gpt-4.1-mini

            [user ada]
            budget_per_day = 0.0075 USD

            [user rita]
            requests_per_minute = 2

            [user sam]
            budget_per_day = 0 USD

            [group eng]
            budget_per_month = 0.006 USD shared

            [anonymous]
            models =
            """;

    @TempDir
    static Path scratch;
    private static Path policy;
    private static GatewayHarness harness;

    @BeforeAll
    static void start() throws Exception {
        policy = Files.writeString(scratch.resolve("policy.conf"), POLICY);
        harness = new GatewayHarness("", Map.of("CLIENT_AUTH", "header", "POLICY_FILE", policy.toString(),
                "USAGE_ADMINS", "platform"));
        // An upstream that sends rate-limit headers of its own: they never reach the client.
        harness.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withHeader("anthropic-ratelimit-unified-status", "allowed")
                .withHeader("x-ratelimit-remaining-requests", "4").withBody(COMPLETION)));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static HttpResponse<String> messages(String model, String user, String groups) throws Exception {
        List<String> headers = new ArrayList<>();
        if (user != null) {
            headers.addAll(List.of("X-Forwarded-User", user));
        }
        if (groups != null) {
            headers.addAll(List.of("X-Forwarded-Groups", groups));
        }
        return harness.post(harness.route("/v1", model) + "/v1/messages", "{\"model\":\"claude-sonnet-4-5\","
                + "\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", headers.toArray(String[]::new));
    }

    private static HttpResponse<String> get(String path, String user, String groups) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(harness.gateway.baseUrl() + path))
                .header("X-Forwarded-User", user);
        if (groups != null) {
            request.header("X-Forwarded-Groups", groups);
        }
        return GatewayHarness.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What {@code read} gives once {@code written} holds of it: the ledger writes within its flush interval. */
    private static <T> T await(java.util.concurrent.Callable<T> read, java.util.function.Predicate<T> written)
            throws Exception {
        T value = read.call();
        for (int i = 0; i < 100 && !written.test(value); i++) {
            Thread.sleep(100);
            value = read.call();
        }
        return value;
    }

    @Test
    void aSpentBudgetIsRefusedWithABillingErrorClaudeCodePrintsAsItIs() throws Exception {
        HttpResponse<String> first = messages("gpt-4.1", "ada", null);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("allowed", first.headers().firstValue("anthropic-ratelimit-unified-status").orElse(""));
        assertEquals("0.00", first.headers().firstValue("anthropic-ratelimit-unified-overage-utilization").orElse(""));
        assertFalse(first.headers().firstValue("x-ratelimit-remaining-requests").isPresent(), "the upstream's own");

        HttpResponse<String> second = messages("gpt-4.1", "ada", null);
        assertEquals(200, second.statusCode());
        assertEquals("allowed_warning", second.headers().firstValue("anthropic-ratelimit-unified-status").orElse(""),
                "0.006 of 0.0075 spent: 80 %");
        assertEquals("0.80", second.headers().firstValue("anthropic-ratelimit-unified-overage-utilization").orElse(""));
        assertEquals("0.75", second.headers().firstValue("anthropic-ratelimit-unified-overage-surpassed-threshold").orElse(""));

        int calls = harness.upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).size();
        HttpResponse<String> refused = messages("gpt-4.1", "ada", null);
        HostileInputTest.assertAnthropicError(refused, 429, "billing_error");
        String midnight = Long.toString(LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond());
        assertEquals("Your daily budget of 0.0075 USD is spent (0.0120 USD today) · it resets "
                + LocalDate.now(ZoneOffset.UTC).plusDays(1) + " 00:00 UTC",
                GatewayHarness.json(refused.body()).getJsonObject("error").getString("message"));
        assertEquals("false", refused.headers().firstValue("x-should-retry").orElse(""));
        assertEquals("rejected", refused.headers().firstValue("anthropic-ratelimit-unified-status").orElse(""));
        assertEquals(midnight, refused.headers().firstValue("anthropic-ratelimit-unified-overage-reset").orElse(""));
        assertEquals("daily", refused.headers().firstValue("anthropic-ratelimit-unified-overage-period").orElse(""));
        assertTrue(Long.parseLong(refused.headers().firstValue("retry-after").orElse("0")) > 0);
        assertEquals(calls, harness.upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).size(),
                "refused before the upstream is called");

        // Claude Code's /usage and one's own view read the same figures.
        JsonObject usage = GatewayHarness.json(get("/api/oauth/usage", "ada", null).body());
        assertEquals(1, usage.getJsonObject("extra_usage").getInt("used_credits"), "1.2 cents this month, in cents");
        JsonObject daily = usage.getJsonArray("limits").getJsonObject(0);
        assertEquals("daily", daily.getString("group"));
        assertEquals(100, daily.getInt("percent"));
        assertEquals("critical", daily.getString("severity"));
        assertEquals(Instant.ofEpochSecond(Long.parseLong(midnight)).toString().replace("Z", ".000Z"),
                daily.getString("resets_at"), "to the second the refusal's reset");
        // The usage queries read what the ledger has written: within its flush interval (a second).
        JsonObject mine = await(() -> GatewayHarness.json(get("/_proxy/usage/me", "ada", null).body()),
                json -> !json.getJsonArray("this_month_by_model").isEmpty());
        JsonObject budget = mine.getJsonArray("budgets").getJsonObject(0);
        assertEquals("0.007500", budget.getString("limit"));
        assertEquals("0.012000", budget.getString("spent"));
        assertEquals("0.000000", budget.getString("left"));
        assertEquals("127.0.0.1/gpt-4.1", mine.getJsonArray("this_month_by_model").getJsonObject(0).getString("key"));
    }

    @Test
    void aGroupsSharedBudgetIsSpentByAnyOfItsMembersAndSaysSo() throws Exception {
        assertEquals(200, messages("gpt-4.1", "bob", "eng").statusCode());
        HttpResponse<String> refused = messages("gpt-4.1", "grace", "eng, data");
        HostileInputTest.assertAnthropicError(refused, 429, "billing_error");
        assertTrue(refused.body().contains("The eng group's shared monthly budget of 0.006 USD is spent"), refused.body());
        assertEquals("group_pool", refused.headers().firstValue("anthropic-ratelimit-unified-overage-scope").orElse(""));
        assertEquals(200, messages("gpt-4.1", "dan", "data").statusCode(), "not the data group's");
    }

    @Test
    void aRateLimitSaysWhenToRetry() throws Exception {
        assertEquals(200, messages("gpt-4.1", "rita", null).statusCode());
        assertEquals(200, messages("gpt-4.1", "rita", null).statusCode());
        HttpResponse<String> limited = messages("gpt-4.1", "rita", null);
        HostileInputTest.assertAnthropicError(limited, 429, "rate_limit_error");
        long retryMs = Long.parseLong(limited.headers().firstValue("retry-after-ms").orElse("0"));
        long retry = Long.parseLong(limited.headers().firstValue("retry-after").orElse("0"));
        assertTrue(retryMs > 50_000 && retryMs <= 60_000, "about a minute: " + retryMs);
        assertEquals((retryMs + 999) / 1000, retry);
        assertTrue(limited.body().contains("requests_per_minute"), limited.body());
    }

    @Test
    void aModelOutsideThePolicyIsA400NamingTheOpenOnes() throws Exception {
        HttpResponse<String> refused = messages("gpt-5", "carol", null);
        HostileInputTest.assertAnthropicError(refused, 400, "invalid_request_error");
        assertTrue(refused.body().contains("you may use 127.0.0.1/gpt-4.1, 127.0.0.1/gpt-4.1-mini"), refused.body());
    }

    /**
     * The official SDK (Java, with its retries on) sees a spent budget as a 429 it does not retry
     * ({@code x-should-retry: false}), the gateway's message in its exception, and a refused model
     * as a 400 naming the open ones.
     */
    @Test
    void theOfficialSdkShowsTheRefusalsAndDoesNotRetryASpentBudget() throws Exception {
        com.anthropic.client.AnthropicClient sdk = com.anthropic.client.okhttp.AnthropicOkHttpClient.builder()
                .baseUrl(harness.gateway.baseUrl() + harness.route("/v1", "gpt-4.1")).apiKey("unused").putHeader("X-Forwarded-User", "sam")
                .maxRetries(3).build();
        com.anthropic.models.messages.MessageCreateParams params = com.anthropic.models.messages.MessageCreateParams.builder()
                .model("claude-sonnet-4-5").maxTokens(10).addUserMessage("hi").build();
        double before = refusals();
        com.anthropic.errors.RateLimitException spent = org.junit.jupiter.api.Assertions.assertThrows(
                com.anthropic.errors.RateLimitException.class, () -> sdk.messages().create(params));
        assertTrue(spent.getMessage().contains("billing_error") && spent.getMessage().contains("Your daily budget of 0.00 USD"
                + " is spent"), spent.getMessage());
        assertEquals(before + 1, refusals(), "asked once: the SDK does not retry a spent budget");

        com.anthropic.client.AnthropicClient other = com.anthropic.client.okhttp.AnthropicOkHttpClient.builder()
                .baseUrl(harness.gateway.baseUrl() + harness.route("/v1", "gpt-5")).apiKey("unused").putHeader("X-Forwarded-User", "carol")
                .maxRetries(3).build();
        com.anthropic.errors.BadRequestException model = org.junit.jupiter.api.Assertions.assertThrows(
                com.anthropic.errors.BadRequestException.class, () -> other.messages().create(params));
        assertTrue(model.getMessage().contains("you may use 127.0.0.1/gpt-4.1, 127.0.0.1/gpt-4.1-mini"), model.getMessage());
    }

    /** The 429s the gateway has answered, from its metrics. */
    private static double refusals() throws Exception {
        double count = 0;
        for (String line : GatewayHarness.HTTP.send(HttpRequest.newBuilder(URI.create(harness.gateway.baseUrl()
                + "/_proxy/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
            if (line.startsWith("claude_proxy_requests_total{") && line.contains("status=\"429\"")) {
                count += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return count;
    }

    /** A team's key ({@code CLIENT_KEY_GROUPS}) puts whoever presents it in the team's group for the policy. */
    @Test
    void aTeamKeyPutsItsCallerInItsGroup() throws Exception {
        Path teams = Files.writeString(scratch.resolve("teams.conf"), """
                [everyone]
                models = 127.0.0.1/gpt-4.1

                [group research]
                models = 127.0.0.1/gpt-4.1, 127.0.0.1/gpt-5
                """);
        try (GatewayHarness keyed = new GatewayHarness("", Map.of("CLIENT_AUTH", "keys", "CLIENT_KEYS", "plain-key",
                "CLIENT_KEY_GROUPS", "research=research-key-1 research-key-2", "POLICY_FILE", teams.toString()))) {
            keyed.upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                    .withHeader("content-type", "application/json").withBody(COMPLETION)));
            String gpt5 = keyed.route("/v1", "gpt-5") + "/v1/messages";
            String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            HttpResponse<String> team = keyed.post(gpt5, body, "x-api-key", "research-key-2");
            assertEquals(200, team.statusCode(), "the team's model: " + team.body());
            HttpResponse<String> plain = keyed.post(gpt5, body, "x-api-key", "plain-key");
            HostileInputTest.assertAnthropicError(plain, 400, "invalid_request_error");
            assertTrue(plain.body().contains("you may use 127.0.0.1/gpt-4.1"), plain.body());
            HostileInputTest.assertAnthropicError(keyed.post(gpt5, body, "x-api-key", "research-key-3"), 401,
                    "authentication_error");
        }
    }

    @Test
    void theAnonymousUserHasItsOwnRules() throws Exception {
        try (GatewayHarness open = new GatewayHarness("", Map.of("POLICY_FILE", policy.toString()))) {
            HttpResponse<String> anonymous = open.post(open.route("/v1", "gpt-4.1") + "/v1/messages", "{\"model\":\"m\","
                    + "\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            HostileInputTest.assertAnthropicError(anonymous, 400, "invalid_request_error");
            assertTrue(anonymous.body().contains("no model is open to you"), anonymous.body());
        }
    }

    @Test
    void everyonesUsageIsForAdministratorsAsJsonAndCsv() throws Exception {
        assertEquals(200, messages("gpt-4.1", "erin", null).statusCode());
        HttpResponse<String> forbidden = get("/_proxy/usage", "erin", "eng");
        HostileInputTest.assertAnthropicError(forbidden, 403, "permission_error");

        HttpResponse<String> byUser = await(() -> get("/_proxy/usage?by=user", "olga", "platform"),
                answer -> answer.body().contains("\"erin\""));
        assertEquals(200, byUser.statusCode(), byUser.body());
        JsonObject usage = GatewayHarness.json(byUser.body());
        assertEquals("USD", usage.getString("currency"));
        assertTrue(usage.getJsonArray("rows").stream().map(row -> row.asJsonObject().getString("key")).toList()
                .contains("erin"), byUser.body());
        JsonObject erin = usage.getJsonArray("rows").stream().map(row -> row.asJsonObject())
                .filter(row -> row.getString("key").equals("erin")).findFirst().orElseThrow();
        assertEquals(1000, erin.getInt("input_tokens"));
        assertEquals("0.006000", erin.getString("cost"));

        HttpResponse<String> csv = get("/_proxy/usage?by=model&format=csv", "olga", "platform");
        assertEquals(200, csv.statusCode());
        assertTrue(csv.headers().firstValue("content-type").orElse("").startsWith("text/csv"));
        assertTrue(csv.body().startsWith("model,requests,input_tokens,cached_tokens,output_tokens,cost_usd\r\n"), csv.body());
        assertTrue(csv.body().contains("\r\n127.0.0.1/gpt-4.1,"), csv.body());

        HostileInputTest.assertAnthropicError(get("/_proxy/usage?by=planet", "olga", "platform"), 400,
                "invalid_request_error");
        HostileInputTest.assertAnthropicError(get("/_proxy/usage?from=yesterday", "olga", "platform"), 400,
                "invalid_request_error");
        HostileInputTest.assertAnthropicError(get("/_proxy/usage?from=2020-01-01&to=2026-01-01", "olga", "platform"), 400,
                "invalid_request_error");
    }

    @Test
    void aChangedPolicyFileHoldsWithinSeconds() throws Exception {
        assertEquals(200, messages("gpt-4.1-mini", "frank", null).statusCode());
        Files.writeString(policy, POLICY + "\n[user frank]\nmodels = 127.0.0.1/gpt-4.1\n");
        Files.setLastModifiedTime(policy, FileTime.from(Instant.now().plusSeconds(1)));
        int status = 200;
        for (int i = 0; i < 100 && status == 200; i++) {
            Thread.sleep(100);
            status = messages("gpt-4.1-mini", "frank", null).statusCode();
        }
        assertEquals(400, status, "the reloaded policy took the model away");
        Files.writeString(policy, POLICY);
        Files.setLastModifiedTime(policy, FileTime.from(Instant.now().plusSeconds(2)));
    }
}
