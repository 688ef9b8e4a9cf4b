package dev.claudeproxy.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.provider.ThinkingSigner;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The provider profiles: which one an upstream gets, and what each changes in the upstream request. */
class ProfileTest {

    @ParameterizedTest(name = "{0}:{1} {2} -> {3}")
    @CsvSource({
        "api.openai.com, 443, gpt-4.1, OPENAI", "myres.openai.azure.com, 443, gpt-4o, AZURE",
        "generativelanguage.googleapis.com, 443, gemini-2.5-flash, GEMINI", "api.groq.com, 443, qwen3-32b, GROQ",
        "api.deepseek.com, 443, deepseek-chat, DEEPSEEK", "api.mistral.ai, 443, mistral-large-latest, MISTRAL",
        "localhost, 11434, qwen3:8b, OLLAMA", "openrouter.ai, 443, google/gemini-2.5-pro, GEMINI",
        "openrouter.ai, 443, deepseek/deepseek-r1, DEEPSEEK", "openrouter.ai, 443, meta-llama/llama-3.3-70b-instruct, OPENROUTER", "litellm.corp, 4000, mistralai/magistral-medium, MISTRAL",
        "litellm.corp, 4000, openai/o3-mini, OPENAI", "vllm.local, 8000, Qwen/Qwen3-8B, GENERIC"})
    void profileIsChosenByHostThenModelFamily(String host, int port, String model, Profile expected) {
        assertEquals(expected, Profile.of(host, port, model, Map.of()));
    }

    @Test
    void configuredProfileWinsForItsHost() {
        assertEquals(Profile.DEEPSEEK, Profile.of("gateway.corp", 443, "gpt-4.1", Map.of("gateway.corp", Profile.DEEPSEEK)));
    }

    @Test
    void mistralGetsNineCharacterIdsMappedAlikeInCallsAndResults() {
        JsonObject sent = convert(Profile.MISTRAL, "mistral-large-latest", toolRoundTrip("toolu_01NRLabsLyVHZPKxbKvkfSMn"));
        String callId = sent.getJsonArray("messages").getJsonObject(0).getJsonArray("tool_calls").getJsonObject(0).getString("id");
        assertTrue(callId.matches("[A-Za-z0-9]{9}"), callId);
        assertEquals(callId, sent.getJsonArray("messages").getJsonObject(1).getString("tool_call_id"));
        JsonObject other = convert(Profile.MISTRAL, "m", toolRoundTrip("toolu_somethingElse"));
        assertFalse(callId.equals(other.getJsonArray("messages").getJsonObject(1).getString("tool_call_id")));
    }

    @Test
    void openAiKeepsValidIdsAndShortensLongOnes() {
        String valid = "toolu_01NRLabsLyVHZPKxbKvkfSMn";
        assertEquals(valid, convert(Profile.OPENAI, "gpt-4.1", toolRoundTrip(valid))
                .getJsonArray("messages").getJsonObject(1).getString("tool_call_id"));
        String longId = "x".repeat(60);
        String mapped = convert(Profile.OPENAI, "gpt-4.1", toolRoundTrip(longId)).getJsonArray("messages")
                .getJsonObject(1).getString("tool_call_id");
        assertTrue(mapped.length() <= 40 && mapped.startsWith("call_"), mapped);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "none", delimiter = '|', value = {
        "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048}|low",
        "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":8000}|medium",
        "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":32000}|high",
        "\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"max\"}|high",
        "\"thinking\":{\"type\":\"adaptive\"}|medium",
        "\"thinking\":{\"type\":\"disabled\"}|none",
        "\"output_config\":{\"effort\":\"low\"}|none"})
    void thinkingBecomesReasoningEffortWhereTheUpstreamTakesIt(String fields, String effort) {
        String body = "{\"model\":\"c\",\"max_tokens\":40000," + fields + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        JsonObject gemini = convert(Profile.GEMINI, "gemini-2.5-pro", body);
        assertEquals(effort, gemini.containsKey("reasoning_effort") ? gemini.getString("reasoning_effort") : null);
        assertFalse(convert(Profile.GENERIC, "llama", body).containsKey("reasoning_effort"));
        assertFalse(gemini.containsKey("thinking"));
    }

    @Test
    void openAiReasoningModelsGetMaxCompletionTokensAndNoSampling() {
        String body = "{\"model\":\"c\",\"max_tokens\":4096,\"temperature\":0.2,\"top_p\":0.9,"
                + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        JsonObject o3 = convert(Profile.OPENAI, "o3", body);
        assertEquals(4096, o3.getInt("max_completion_tokens"));
        assertFalse(o3.containsKey("max_tokens") || o3.containsKey("temperature") || o3.containsKey("top_p"));
        assertEquals("low", o3.getString("reasoning_effort"));
        JsonObject gpt41 = convert(Profile.OPENAI, "gpt-4.1", body);
        assertEquals(4096, gpt41.getInt("max_tokens"));
        assertFalse(gpt41.containsKey("reasoning_effort"));
    }

    @Test
    void deepSeekGetsBackOnlyTheReasoningThisGatewaySignedForIt() {
        String upstream = "upstream.example:443";
        String good = RequestConverterTest.SIGNATURES.sign(upstream, "Need the weather tool.");
        String otherUpstream = RequestConverterTest.SIGNATURES.sign("api.groq.com:443", "Need the weather tool.");
        String foreign = new ThinkingSigner("another-gateway-secret!".getBytes(StandardCharsets.UTF_8))
                .sign(upstream, "Need the weather tool.");
        assertEquals("Need the weather tool.", replayed(Profile.DEEPSEEK, "Need the weather tool.", good));
        assertEquals("", replayed(Profile.DEEPSEEK, "Need the weather tool, edited.", good), "tampered text");
        assertEquals("", replayed(Profile.DEEPSEEK, "Need the weather tool.", otherUpstream), "signed for another upstream");
        assertEquals("", replayed(Profile.DEEPSEEK, "Need the weather tool.", foreign), "another gateway's secret");
        assertEquals("", replayed(Profile.DEEPSEEK, "Need the weather tool.", "EqQBCkgIBhABGAIiQL..."), "Anthropic's own");
        assertEquals(null, replayed(Profile.GROQ, "Need the weather tool.", good), "Groq rejects the field");
    }

    @Test
    void reasoningIsNotReplayedOnTextOnlyAssistantTurns() {
        String signature = RequestConverterTest.SIGNATURES.sign("upstream.example:443", "hmm");
        JsonObject sent = convert(Profile.DEEPSEEK, "deepseek-reasoner", "{\"model\":\"c\",\"max_tokens\":10,\"messages\":["
                + "{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\","
                + "\"thinking\":\"hmm\",\"signature\":\"" + signature + "\"},{\"type\":\"text\",\"text\":\"hello\"}]},"
                + "{\"role\":\"user\",\"content\":\"again\"}]}");
        assertFalse(sent.getJsonArray("messages").getJsonObject(1).containsKey("reasoning_content"));
    }

    private static String replayed(Profile profile, String thinking, String signature) {
        JsonObject sent = convert(profile, "deepseek-chat", "{\"model\":\"c\",\"max_tokens\":10,\"messages\":["
                + "{\"role\":\"user\",\"content\":\"weather?\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\","
                + "\"thinking\":\"" + thinking + "\",\"signature\":\"" + signature + "\"},{\"type\":\"tool_use\",\"id\":\"t\","
                + "\"name\":\"get_weather\",\"input\":{}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"t\",\"content\":\"18C\"}]}]}");
        JsonObject assistant = sent.getJsonArray("messages").getJsonObject(1);
        return assistant.containsKey("reasoning_content") ? assistant.getString("reasoning_content") : null;
    }

    private static String toolRoundTrip(String id) {
        return "{\"model\":\"c\",\"max_tokens\":10,\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\","
                + "\"id\":\"" + id + "\",\"name\":\"T\",\"input\":{}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"" + id + "\",\"content\":\"ok\"}]}]}";
    }

    private static JsonObject convert(Profile profile, String model, String body) {
        var request = MessagesRequestReader.read(body.getBytes(StandardCharsets.UTF_8));
        String json = Json.write(RequestConverter.toChatRequest(request, RequestConverterTest.target(profile, model),
                Attribution.NONE));
        try (JsonReader reader = jakarta.json.Json.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(nullValues = "none", value = {"DEEPSEEK, deepseek-chat, 393216", "DEEPSEEK, deepseek-reasoner, 393216",
        "DEEPSEEK, deepseek-v4-pro, 393216", "DEEPSEEK, deepseek-ai/DeepSeek-V3, 8192", "DEEPSEEK, deepseek/deepseek-r1, 65536",
        "OPENAI, gpt-4o-mini, 16384", "OPENAI, gpt-4.1, 32768", "GENERIC, llama-3.3-70b, none"})
    void knownModelOutputLimits(Profile profile, String model, Integer limit) {
        assertEquals(limit == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(limit),
                profile.knownOutputLimit(model));
    }
}
