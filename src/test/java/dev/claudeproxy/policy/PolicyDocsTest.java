package dev.claudeproxy.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy example in docs/budgets.md is one the gateway takes, and means what the page says. */
class PolicyDocsTest {

    @Test
    void theDocumentedExampleIsAPolicyTheGatewayTakes() throws Exception {
        String page = Files.readString(Path.of("docs/budgets.md"));
        int start = page.indexOf("```ini\n");
        assertTrue(start >= 0, "docs/budgets.md has its example");
        String example = page.substring(start + 7, page.indexOf("```", start + 7));
        Policy policy = Policy.parse(example, "docs/budgets.md");
        Limits ada = policy.limits("ada@corp.example", List.of("eng"));
        assertEquals(100_000_000L, ada.budgets().get(0).amount(), "the user's own daily budget");
        assertEquals("group:eng", ada.budgets().get(1).pool(), "the group's shared monthly pool");
        assertEquals(280_000L, policy.price("api.deepseek.com", "deepseek-chat").orElseThrow().inputPerMillion());
        assertTrue(policy.limits(Policy.ANONYMOUS, List.of()).models().orElseThrow().isEmpty());
    }
}
