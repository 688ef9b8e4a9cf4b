package dev.claudeproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupModelsTest {

    private static final GroupModels RULES = Settings.load(Lookup.of(Map.of("GROUP_MODELS",
            "Eng=api.deepseek.com/* *gpt-4.1-mini, *=api.deepseek.com/deepseek-chat")::get)).groupModels();

    @Test
    void withoutRulesEveryoneMayUseEveryModel() {
        GroupModels none = Settings.load(Lookup.of(Map.<String, String>of()::get)).groupModels();
        assertFalse(none.restricts());
        assertTrue(none.allows(List.of(), "api.openai.com", "o3"));
    }

    @Test
    void aGroupMayUseItsPatternsAndEveryonesCaseInsensitively() {
        assertTrue(RULES.allows(List.of("eng"), "API.DeepSeek.com", "deepseek-reasoner"));
        assertTrue(RULES.allows(List.of("ENG"), "api.openai.com", "gpt-4.1-mini"));
        assertFalse(RULES.allows(List.of("eng"), "api.openai.com", "gpt-4.1"));
        assertTrue(RULES.allows(List.of(), "api.deepseek.com", "deepseek-chat"));
        assertFalse(RULES.allows(List.of("sales"), "api.deepseek.com", "deepseek-reasoner"));
        // A pattern's dot is a dot, not any character.
        assertFalse(RULES.allows(List.of(), "apixdeepseek.com", "deepseek-chat"));
    }

    @Test
    void aRefusalSaysWhatTheUserMayUse() {
        assertEquals(List.of("api.deepseek.com/*", "*gpt-4.1-mini", "api.deepseek.com/deepseek-chat"),
                RULES.allowed(List.of("eng")));
        assertEquals("model api.openai.com/o3 is not one your groups (sales) may use here; they may use"
                + " api.deepseek.com/deepseek-chat (GROUP_MODELS)", RULES.refusal(List.of("sales"), "api.openai.com", "o3"));
    }
}
