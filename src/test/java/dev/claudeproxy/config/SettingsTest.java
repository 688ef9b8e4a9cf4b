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
        assertEquals(Duration.ofSeconds(10), settings.timeouts().connect());
        assertEquals(Duration.ofSeconds(300), settings.timeouts().silence());
        assertEquals(Duration.ofSeconds(300), settings.timeouts().firstByte());
        assertEquals(Duration.ofSeconds(3600), settings.timeouts().exchange());
        assertEquals(512, settings.limits().maxExchanges());
        assertEquals(32768, settings.maxOutputTokensFor("api.openai.com", java.util.OptionalInt.empty()));
        assertEquals(8192, settings.maxOutputTokensFor("api.deepseek.com", java.util.OptionalInt.of(8192)));
        assertEquals("2024-10-21", settings.azureApiVersion());
        assertEquals(ClientAuth.Mode.NONE, settings.clientAuth().mode());
        assertTrue(settings.clientAuth().forwardsClientKey());
        assertTrue(settings.allowlist().anyPublic(), "any public host by default");
        assertEquals(UpstreamAllowlist.Verdict.PUBLIC_ONLY, settings.allowlist().verdict("localhost", 11434),
                "and nothing else: addresses are checked");
        assertEquals(32L * 1024 * 1024, settings.limits().maxRequestBytes());
        assertTrue(settings.corsOrigins().isEmpty());
        assertEquals(Duration.ofSeconds(30), settings.shutdownGrace());
        assertTrue(settings.metricsEnabled());
        assertFalse(settings.clientKeyOverrides());
    }

    /** The documented precedence: JNDI, context parameters, environment, system properties, defaults. */
    @Test
    void systemPropertiesComeAfterTheEnvironmentAndBeforeDefaults() {
        String name = "MAX_OUTPUT_TOKENS";
        System.setProperty(name, "1234");
        try {
            Lookup standard = Lookup.standard(Map.<String, String>of()::get);
            assertEquals(System.getenv(name) == null ? Optional.of("1234") : Optional.of(System.getenv(name)),
                    standard.find(name));
            Lookup withContext = Lookup.standard(Map.of(name, "99")::get);
            assertEquals(99, Settings.load(withContext).maxOutputTokens(), "a context parameter wins over the property");
        } finally {
            System.clearProperty(name);
        }
        assertEquals(32768, Settings.load(Lookup.standard(Map.<String, String>of()::get)).maxOutputTokens());
    }

    @Test
    void everyTierIsABaseUrlModelAndOptionalKey() {
        Settings settings = Settings.load(Lookup.of(Map.of(
                "SONNET_BASE_URL", "api.groq.com/openai/v1", "SONNET_MODEL_NAME", "llama-3.3-70b-versatile",
                "OPUS_BASE_URL", "http://vllm.corp:8000/v1", "OPUS_MODEL_NAME", "qwen3-coder", "OPUS_API_KEY", "k",
                "DEFAULT_BASE_URL", "api.deepseek.com", "DEFAULT_MODEL_NAME", "deepseek-chat")::get));
        assertEquals("https://api.groq.com/openai/v1", settings.tier(Tier.SONNET).orElseThrow().baseUrl().toString());
        assertEquals("qwen3-coder", settings.tier(Tier.OPUS).orElseThrow().model());
        assertTrue(settings.tier(Tier.OPUS).orElseThrow().key().isPresent());
        assertEquals("deepseek-chat", settings.tier(Tier.DEFAULT).orElseThrow().model());
        assertTrue(settings.haiku().isEmpty());
    }

    @Test
    void accessSettings() {
        Settings settings = Settings.load(Lookup.of(Map.of(
                "CLIENT_AUTH", "Keys", "CLIENT_KEYS", "team-a-key, team-b-key",
                "UPSTREAM_KEYS_BY_HOST", "api.groq.com=gsk_1,API.DeepSeek.com=sk-2",
                "UPSTREAM_ALLOWLIST", "api.groq.com, *.openai.azure.com",
                "CORS_ALLOWED_ORIGINS", "https://tools.corp", "MAX_REQUEST_BYTES", "1048576",
                "CLIENT_KEY_OVERRIDES_SERVER_KEY", "yes", "METRICS_ENABLED", "false")::get));
        assertEquals(ClientAuth.Mode.KEYS, settings.clientAuth().mode());
        assertTrue(settings.clientAuth().acceptsKey(Optional.of(Secret.of("team-b-key"))));
        assertFalse(settings.clientAuth().acceptsKey(Optional.of(Secret.of("team-c-key"))));
        assertFalse(settings.clientAuth().acceptsKey(Optional.empty()));
        assertFalse(settings.clientAuth().forwardsClientKey(), "a gateway key never goes upstream");
        assertEquals(Optional.of(Secret.of("sk-2")), settings.upstreamKey(Origin.parse("api.deepseek.com")));
        assertTrue(settings.upstreamKey(Origin.parse("api.openai.com")).isEmpty());
        assertTrue(settings.upstreamKey(Origin.parse("http://api.deepseek.com")).isEmpty(), "https only unless written out");
        assertTrue(settings.upstreamKey(Origin.parse("api.deepseek.com:8443")).isEmpty(), "port 443 only");
        assertEquals(UpstreamAllowlist.Verdict.NAMED, settings.allowlist().verdict("api.groq.com", 443));
        assertEquals(UpstreamAllowlist.Verdict.NAMED, settings.allowlist().verdict("myres.openai.azure.com", 443));
        assertEquals(UpstreamAllowlist.Verdict.REFUSED, settings.allowlist().verdict("openai.azure.com.evil.example", 443));
        assertEquals(UpstreamAllowlist.Verdict.REFUSED, settings.allowlist().verdict("api.openai.com", 443));
        assertEquals(1048576, settings.limits().maxRequestBytes());
        assertEquals(java.util.List.of("https://tools.corp"), settings.corsOrigins());
        assertTrue(settings.clientKeyOverrides());
        assertFalse(settings.metricsEnabled());
    }

    @Test
    void aKeyInAnInvalidEntryIsNotEchoed() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> Settings.load(
                Lookup.of(Map.of("UPSTREAM_KEYS_BY_HOST", "=sk-live-secret")::get)));
        assertFalse(failure.getMessage().contains("sk-live-secret"), failure.getMessage());
    }

    @Test
    void teamKeysPutTheirCallerInTheirGroupAndAreNotEchoedWhenMalformed() {
        ClientAuth auth = Settings.load(Lookup.of(Map.of("CLIENT_AUTH", "keys",
                "CLIENT_KEY_GROUPS", "Research=rk-1 rk-2=x, data=dk-1,platform=rk-1")::get)).clientAuth();
        assertTrue(auth.acceptsKey(Optional.of(Secret.of("rk-2=x"))), "what follows the first '=' is keys, '=' and all");
        assertEquals(java.util.List.of("Research", "platform"), auth.groupsOfKey(Optional.of(Secret.of("rk-1"))),
                "a key in two teams is in both; names keep their case, as the policy writes them");
        assertEquals(java.util.List.of(), auth.groupsOfKey(Optional.of(Secret.of("rk-3"))));
        assertFalse(auth.acceptsKey(Optional.of(Secret.of("Research"))));
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> Settings.load(
                Lookup.of(Map.of("CLIENT_AUTH", "keys", "CLIENT_KEY_GROUPS", "=team-secret-key")::get)));
        assertFalse(failure.getMessage().contains("team-secret-key"), failure.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Settings.load(
                Lookup.of(Map.of("CLIENT_AUTH", "keys", "CLIENT_KEY_GROUPS", "research")::get)));
    }

    @Test
    void firstSourceWithAValueWins() {
        Lookup first = Lookup.of(Map.of("MAX_OUTPUT_TOKENS", "100")::get);
        Lookup second = Lookup.of(Map.of("MAX_OUTPUT_TOKENS", "200", "UPSTREAM_READ_TIMEOUT_SECONDS", "5")::get);
        Settings settings = Settings.load(Lookup.chain(first, second));
        assertEquals(100, settings.maxOutputTokens());
        assertEquals(Duration.ofSeconds(5), settings.timeouts().silence());
    }

    @Test
    void haikuRouteTakesSchemeOptionalBaseUrlAndKeepsItsKeySecret() {
        Settings settings = Settings.load(Lookup.of(Map.of("HAIKU_BASE_URL", "api.groq.com/openai/v1/",
                "HAIKU_MODEL_NAME", "llama-3.1-8b-instant", "HAIKU_API_KEY", "gsk_secret")::get));
        TierRoute route = settings.haiku().orElseThrow();
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

    @Test
    void contextWindowsAreReadInTokensThousandsOrMillionsPerHostAndModel() {
        Settings settings = Settings.load(Lookup.of(Map.of("CONTEXT_WINDOWS",
                "GPU-Box:8000/Qwen3-Coder=64k, llm.corp=1m, api.deepseek.com/deepseek-chat=131072")::get));
        assertEquals(java.util.OptionalInt.of(64_000),
                settings.contextWindow(java.net.URI.create("http://gpu-box:8000/v1/chat/completions"), "qwen3-coder"));
        assertEquals(java.util.OptionalInt.of(1_000_000),
                settings.contextWindow(java.net.URI.create("https://llm.corp/v1/chat/completions"), "any"));
        assertEquals(java.util.OptionalInt.of(131_072),
                settings.contextWindow(java.net.URI.create("https://api.deepseek.com/chat/completions"), "deepseek-chat"));
        assertEquals(java.util.OptionalInt.of(1_000_000), settings.contextWindow(
                java.net.URI.create("https://api.deepseek.com/chat/completions"), "deepseek-v4-pro"), "documented");
        assertEquals(java.util.OptionalInt.empty(),
                settings.contextWindow(java.net.URI.create("http://gpu-box:8000/v1/chat/completions"), "other"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {"MAX_OUTPUT_TOKENS|lots", "UPSTREAM_READ_TIMEOUT_SECONDS|-1",
        "MAX_OUTPUT_TOKENS_BY_HOST|api.deepseek.com", "HAIKU_BASE_URL|http://", "HAIKU_MODEL_NAME|m",
        "PROFILE_BY_HOST|gateway.corp=nope", "THINKING_SIGNATURE_SECRET|short", "KEEPALIVE_SECONDS|0",
        "CLIENT_AUTH|ldap", "CLIENT_AUTH|keys", "CLIENT_USER_HEADER|X User", "MAX_REQUEST_BYTES|0",
        "METRICS_ENABLED|maybe", "SONNET_MODEL_NAME|m", "SHUTDOWN_GRACE_SECONDS|-5", "UPSTREAM_KEYS_BY_HOST|api.groq.com",
        "UPSTREAM_KEYS_BY_HOST|api.groq.com/v1=k", "UPSTREAM_KEYS_BY_HOST|ftp://h=k", "UPSTREAM_ALLOWLIST|api.groq.com:99999",
        "UPSTREAM_ALLOWLIST|https://api.groq.com", "UPSTREAM_ALLOWLIST|10.0.0.0/40", "UPSTREAM_ALLOWLIST|bad host",
        "HAIKU_USE_CLIENT_KEY|perhaps", "CONTEXT_WINDOWS|gpu-box/m=128", "CONTEXT_WINDOWS|gpu-box/m=lots",
        "CONTEXT_WINDOWS|gpu-box/m=200m", "CONTEXT_WINDOWS|gpu-box/m", "AUTO_MODE_ROUTE|fast", "AUTO_MODE_ROUTE|opus",
        "AUTO_MODE_FIRST_BYTE_TIMEOUT_SECONDS|0"})
    void invalidValueFailsNamingTheSetting(String name, String value) {
        Map<String, String> values = new java.util.HashMap<>(Map.of(name, value));
        if (name.startsWith("HAIKU_") && !name.equals("HAIKU_MODEL_NAME")) {
            values.put("HAIKU_MODEL_NAME", "m");
            values.putIfAbsent("HAIKU_BASE_URL", "h.example");
        }
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(Lookup.of(values::get)));
        String named = switch (name) {
            case "HAIKU_MODEL_NAME" -> "HAIKU_BASE_URL";
            case "SONNET_MODEL_NAME" -> "SONNET_BASE_URL";
            case "CLIENT_AUTH" -> value.equals("keys") ? "CLIENT_KEYS" : name;
            default -> name;
        };
        assertTrue(failure.getMessage().contains(named), failure.getMessage());
    }
}
