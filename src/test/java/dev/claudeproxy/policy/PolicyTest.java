package dev.claudeproxy.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyTest {

    /** The documented example (docs/budgets.md), as an operator writes it. */
    static final String EXAMPLE = """
            # claude-proxy policy
            currency = USD

            [prices]
            # host/model = input, cached input, output: per million tokens
            api.openai.com/gpt-4.1      = 2.00, 0.50, 8.00
            api.openai.com/gpt-4.1-mini = 0.40, 0.10, 1.60
            */deepseek-chat             = 0.27, 0.07, 1.10

            [everyone]
            models = api.openai.com/gpt-4.1-mini, deepseek-chat
            requests_per_minute = 60
            concurrent_streams = 8
            budget_per_day = 20 USD

            [group eng]
            models = api.openai.com/gpt-4.1*, deepseek-*
            budget_per_day = 50 USD
            budget_per_month = 500 USD shared

            [group data]
            requests_per_minute = 120
            budget_per_day = 30 USD

            [user ada@corp.example]
            budget_per_day = 100 USD   # the lead
            tokens_per_minute = 1_000_000

            [anonymous]
            models =
            """;

    @Test
    void theUsersOwnRuleWinsThenTheMostGenerousGroupThenEveryone() throws Exception {
        Policy policy = Policy.parse(EXAMPLE, "policy.conf");
        Limits ada = policy.limits("Ada@corp.example", List.of("eng", "data"));
        assertEquals(List.of(100_000_000L, 500_000_000L), ada.budgets().stream().map(Budget::amount).toList());
        assertEquals("user:ada@corp.example", ada.budgets().get(0).pool());
        assertEquals("group:eng", ada.budgets().get(1).pool(), "the group's shared pool");
        assertEquals(OptionalLong.of(120), ada.requestsPerMinute(), "the more generous group");
        assertEquals(OptionalLong.of(1_000_000), ada.tokensPerMinute());
        assertEquals(OptionalLong.of(8), ada.concurrentStreams(), "everyone's");
        assertTrue(ada.allows("api.openai.com", "gpt-4.1"));
        assertFalse(ada.allows("api.openai.com", "o3"));

        Limits bob = policy.limits("bob", List.of("data", "eng"));
        assertEquals(50_000_000L, bob.budgets().get(0).amount(), "the most generous group's daily budget");
        assertEquals("user:bob", bob.budgets().get(0).pool(), "a group's budget that is not shared is each member's");

        Limits carol = policy.limits("carol", List.of());
        assertEquals(List.of(20_000_000L), carol.budgets().stream().map(Budget::amount).toList());
        assertTrue(carol.allows("api.deepseek.com", "deepseek-chat"));
        assertFalse(carol.allows("api.openai.com", "gpt-4.1"));

        Limits anonymous = policy.limits(Policy.ANONYMOUS, List.of());
        assertEquals(Optional.of(List.of()), anonymous.models());
        assertFalse(anonymous.allows("api.deepseek.com", "deepseek-chat"), "the anonymous user may use nothing");
    }

    @Test
    void pricesAreTheFirstMatchPerMillionTokensRoundedUp() throws Exception {
        Policy policy = Policy.parse(EXAMPLE, "policy.conf");
        Price price = policy.price("api.openai.com", "gpt-4.1").orElseThrow();
        assertEquals(2_000_000 + 500_000 + 8_000_000, price.cost(1_000_000, 1_000_000, 1_000_000));
        assertEquals(8, price.cost(0, 0, 1), "one output token at 8.00 a million: 8 millionths");
        assertEquals(1, policy.price("api.openai.com", "gpt-4.1-mini").orElseThrow().cost(1, 0, 0),
                "0.4 millionths, rounded up");
        assertEquals(0.27, policy.price("api.deepseek.com", "deepseek-chat").orElseThrow().inputPerMillion() / 1e6);
        assertTrue(policy.price("api.openai.com", "o3").isEmpty());
        assertTrue(Policy.OPEN.limits("x", List.of()).budgets().isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[everyone]\\nbudget_per_day = 20 EUR | line 2: 'EUR' is neither tokens nor the policy's currency",
            "[everyone]\\nmodels = *\\nmodels = x | line 3: 'models' is set twice in [everyone]; first at line 2",
            "requests_per_minute = 5 | line 1: 'requests_per_minute' must be inside a section",
            "[team eng] | line 1: unknown section [team eng]",
            "[group]\\n | line 1: [group <name>] needs the group's name",
            "[user ada]\\nbudget_per_day = 5 USD shared | line 2: only a group's or everyone's budget can be shared",
            "[everyone]\\nrequests_per_minute = many | line 2: 'many' is not a whole number",
            "[everyone]\\nspeed = fast | line 2: unknown rule 'speed'",
            "[prices]\\napi.openai.com/gpt-4.1 = 2.00, 8.00 | line 2: a price is 'host/model = input, cached input, output'",
            "[prices]\\ngpt-4.1 = 2.00, 0.5, -1 | line 2: '-1' is not an amount of money",
            "[everyone]\\n[everyone] | line 2: [everyone] is given twice; its first is at line 1",
            "\\n\\n[everyone\\n | line 3: a section header ends with ']'",
            "currency = dollars | line 1: the currency is a three-letter code",
    })
    void aFileThatCannotBeTakenIsRefusedNamingItsLine(String text, String problem) {
        PolicyException refused = assertThrows(PolicyException.class, () -> Policy.parse(text.replace("\\n", "\n"), "p.conf"));
        assertTrue(refused.getMessage().startsWith("p.conf, " + problem), refused.getMessage());
    }

    @Test
    void aModelWithoutAHostIsAModelOfAnyHost() throws Exception {
        Policy policy = Policy.parse("[everyone]\nmodels = gpt-4.1-mini\n", "p");
        assertTrue(policy.limits("x", List.of()).allows("my-azure.openai.azure.com", "gpt-4.1-mini"));
        assertFalse(policy.limits("x", List.of()).allows("api.openai.com", "gpt-4.1"));
        assertTrue(policy.limits("x", List.of()).refusal("api.openai.com", "gpt-4.1").contains("you may use */gpt-4.1-mini"));
    }
}
