package dev.claudeproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Settings are read once, with defaults, and an invalid value names its setting. */
class SettingsTest {

    @Test
    void defaultsWhenNothingIsSet() {
        Settings settings = Settings.load(name -> Optional.empty());
        assertTrue(settings.haiku().isEmpty());
        assertEquals(Duration.ofSeconds(10), settings.connectTimeout());
        assertEquals(Duration.ofSeconds(600), settings.readTimeout());
        assertEquals(32768, settings.maxOutputTokensFor("api.openai.com", java.util.OptionalInt.empty()));
        assertEquals(8192, settings.maxOutputTokensFor("api.deepseek.com", java.util.OptionalInt.of(8192)));
        assertEquals("2024-10-21", settings.azureApiVersion());
    }

    @Test
    void firstSourceWithAValueWins() {
        Lookup first = Lookup.of(Map.of("MAX_OUTPUT_TOKENS", "100")::get);
        Lookup second = Lookup.of(Map.of("MAX_OUTPUT_TOKENS", "200", "UPSTREAM_READ_TIMEOUT_SECONDS", "5")::get);
        Settings settings = Settings.load(Lookup.chain(first, second));
        assertEquals(100, settings.maxOutputTokens());
        assertEquals(Duration.ofSeconds(5), settings.readTimeout());
    }

    @Test
    void haikuRouteTakesSchemeOptionalBaseUrlAndKeepsItsKeySecret() {
        Settings settings = Settings.load(Lookup.of(Map.of("HAIKU_BASE_URL", "api.groq.com/openai/v1/",
                "HAIKU_MODEL_NAME", "llama-3.1-8b-instant", "HAIKU_API_KEY", "gsk_secret")::get));
        HaikuRoute route = settings.haiku().orElseThrow();
        assertEquals("https://api.groq.com/openai/v1", route.baseUrl().toString());
        assertEquals("llama-3.1-8b-instant", route.model());
        assertFalse(route.toString().contains("gsk_secret"), route.toString());
    }

    @Test
    void perHostCapsApplyToTheirHostOnly() {
        Settings settings = Settings.load(Lookup.of(Map.of("MAX_OUTPUT_TOKENS_BY_HOST",
                "api.deepseek.com=8192, API.GROQ.COM=32768")::get));
        assertEquals(8192, settings.maxOutputTokensFor("api.deepseek.com", java.util.OptionalInt.empty()));
        assertEquals(32768, settings.maxOutputTokensFor("api.groq.com", java.util.OptionalInt.of(1000)), "configured wins");
        assertEquals(32768, settings.maxOutputTokensFor("other.example", java.util.OptionalInt.empty()));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {"MAX_OUTPUT_TOKENS|lots", "UPSTREAM_READ_TIMEOUT_SECONDS|-1",
        "MAX_OUTPUT_TOKENS_BY_HOST|api.deepseek.com", "HAIKU_BASE_URL|http://", "HAIKU_MODEL_NAME|m",
        "PROFILE_BY_HOST|gateway.corp=nope", "THINKING_SIGNATURE_SECRET|short", "KEEPALIVE_SECONDS|0"})
    void invalidValueFailsNamingTheSetting(String name, String value) {
        Map<String, String> values = name.equals("HAIKU_BASE_URL") ? Map.of(name, value, "HAIKU_MODEL_NAME", "m") : Map.of(name, value);
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(Lookup.of(values::get)));
        assertTrue(failure.getMessage().contains(name.equals("HAIKU_MODEL_NAME") ? "HAIKU_BASE_URL" : name), failure.getMessage());
    }
}
