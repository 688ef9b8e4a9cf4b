package dev.claudeproxy.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.anthropic.InvalidMessagesRequestException;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.provider.Profile;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 23, point 4: the request fields of 2026 that were dropped silently, and point 1's stop
 * sequences and thinking turned off for OpenAI's reasoning models (auto mode's classifier).
 */
class NewerRequestFieldsTest {

    /** Claude Code's session-title request: structured output, no tools, no thinking. */
    private static final String TITLE = "{\"model\":\"claude-opus-5-5\",\"max_tokens\":512,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"name this session\"}],\"output_config\":{\"effort\":\"medium\",\"format\":{\"type\":\"json_schema\","
            + "\"schema\":{\"type\":\"object\",\"properties\":{\"title\":{\"type\":\"string\"}},\"required\":[\"title\"],"
            + "\"additionalProperties\":false}}}}";

    private static JsonObject convert(Profile profile, String model, String body, Attribution attribution) {
        var request = MessagesRequestReader.read(body.getBytes(StandardCharsets.UTF_8));
        String json = Json.write(RequestConverter.toChatRequest(request, RequestConverterTest.target(profile, model), attribution));
        try (JsonReader reader = jakarta.json.Json.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }

    private static JsonObject convert(Profile profile, String model, String body) {
        return convert(profile, model, body, Attribution.NONE);
    }

    @Test
    void structuredOutputBecomesAJsonSchemaResponseFormatStrictWhereTheUpstreamTakesStrict() {
        JsonObject openAi = convert(Profile.OPENAI, "gpt-4.1", TITLE).getJsonObject("response_format");
        assertEquals("json_schema", openAi.getString("type"));
        JsonObject jsonSchema = openAi.getJsonObject("json_schema");
        assertTrue(jsonSchema.getBoolean("strict"));
        assertEquals(List.of("title"), jsonSchema.getJsonObject("schema").getJsonArray("required").getValuesAs(
                jakarta.json.JsonString::getString));
        assertFalse(jsonSchema.getString("name").isEmpty());

        JsonObject generic = convert(Profile.GENERIC, "qwen3", TITLE).getJsonObject("response_format");
        assertEquals("json_schema", generic.getString("type"));
        assertFalse(generic.getJsonObject("json_schema").containsKey("strict"));
        assertTrue(generic.getJsonObject("json_schema").getJsonObject("schema").containsKey("additionalProperties"));

        // Gemini takes the subset of JSON schema its tool schemas are cleaned to.
        JsonObject gemini = convert(Profile.GEMINI, "gemini-2.5-flash", TITLE).getJsonObject("response_format");
        assertFalse(gemini.getJsonObject("json_schema").getJsonObject("schema").containsKey("additionalProperties"));
    }

    @Test
    void structuredOutputToAnUpstreamThatCannotHoldASchemaIsRefusedNotAnsweredInProse() {
        var failure = assertThrows(InvalidMessagesRequestException.class,
                () -> convert(Profile.DEEPSEEK, "deepseek-chat", TITLE));
        assertTrue(failure.getMessage().startsWith("output_config.format"), failure.getMessage());
        var unknown = assertThrows(InvalidMessagesRequestException.class, () -> convert(Profile.OPENAI, "gpt-4.1",
                TITLE.replace("\"type\":\"json_schema\"", "\"type\":\"grammar\"")));
        assertTrue(unknown.getMessage().contains("'grammar'"), unknown.getMessage());
    }

    @Test
    void strictToolsKeepStrictWhereTheUpstreamTakesIt() {
        String body = "{\"model\":\"c\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":["
                + "{\"name\":\"A\",\"strict\":true,\"input_schema\":{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}},"
                + "{\"name\":\"B\",\"input_schema\":{\"type\":\"object\"}}]}";
        JsonArray openAi = convert(Profile.OPENAI, "gpt-4.1", body).getJsonArray("tools");
        assertTrue(openAi.getJsonObject(0).getJsonObject("function").getBoolean("strict"));
        assertFalse(openAi.getJsonObject(1).getJsonObject("function").containsKey("strict"));
        JsonArray groq = convert(Profile.GROQ, "llama-3.3-70b-versatile", body).getJsonArray("tools");
        assertFalse(groq.getJsonObject(0).getJsonObject("function").containsKey("strict"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(nullValues = "absent", delimiter = '|', value = {
        "gpt-5.2|\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"xhigh\"}|xhigh",
        "gpt-5.2|\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"max\"}|xhigh",
        "gpt-5.1-codex-max|\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"xhigh\"}|xhigh",
        "gpt-5.3-codex|\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"max\"}|xhigh",
        "gpt-5|\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"xhigh\"}|high",
        "gpt-5.1|\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"max\"}|high",
        "o3|\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"max\"}|high",
        "gpt-5-pro|\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"low\"}|high",
        "gpt-5-mini|\"thinking\":{\"type\":\"disabled\"}|minimal",
        "gpt-5.1|\"thinking\":{\"type\":\"disabled\"}|none",
        "gpt-5.2-codex|\"thinking\":{\"type\":\"disabled\"}|low",
        "o4-mini|\"thinking\":{\"type\":\"disabled\"}|low",
        "gpt-5-chat-latest|\"thinking\":{\"type\":\"adaptive\"}|absent",
        "gpt-5.2|\"output_config\":{\"effort\":\"high\"}|absent"})
    void effortIsTheNearestEachOpenAiModelTakes(String model, String fields, String effort) {
        String body = "{\"model\":\"c\",\"max_tokens\":100," + fields + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        JsonObject sent = convert(Profile.OPENAI, model, body);
        assertEquals(effort, sent.containsKey("reasoning_effort") ? sent.getString("reasoning_effort") : null);
    }

    @Test
    void deferredToolsAreOfferedOnlyOnceLoadedAndAToolReferenceIsTextNamingThem() {
        String tools = "\"tools\":[{\"name\":\"ToolSearch\",\"input_schema\":{\"type\":\"object\"}},"
                + "{\"name\":\"DeferredToolPlaceholder\",\"defer_loading\":true,\"input_schema\":{\"type\":\"object\"}},"
                + "{\"name\":\"WebFetch\",\"defer_loading\":true,\"input_schema\":{\"type\":\"object\"}},"
                + "{\"name\":\"NotebookEdit\",\"defer_loading\":true,\"input_schema\":{\"type\":\"object\"}}]";
        String before = "{\"model\":\"c\",\"max_tokens\":10," + tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"fetch it\"}]}";
        assertEquals(List.of("ToolSearch"), names(convert(Profile.GENERIC, "m", before)));

        String after = "{\"model\":\"c\",\"max_tokens\":10," + tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"fetch it\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"ToolSearch\","
                + "\"input\":{\"query\":\"select:WebFetch\"}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"t1\",\"content\":[{\"type\":\"tool_reference\",\"tool_name\":\"WebFetch\"}]}]}]}";
        JsonObject sent = convert(Profile.GENERIC, "m", after);
        assertEquals(List.of("ToolSearch", "WebFetch"), names(sent));
        JsonObject toolMessage = sent.getJsonArray("messages").getJsonObject(2);
        assertEquals("tool", toolMessage.getString("role"));
        assertTrue(toolMessage.getString("content").contains("WebFetch"), toolMessage.toString());
    }

    @Test
    void openAiReasoningModelsGetNoStopAndOthersAtMostFour() {
        String body = "{\"model\":\"c\",\"max_tokens\":64,\"thinking\":{\"type\":\"disabled\"},"
                + "\"stop_sequences\":[\"</severity>\",\"b\",\"c\",\"d\",\"e\"],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        assertFalse(convert(Profile.OPENAI, "gpt-5-mini", body).containsKey("stop"));
        assertEquals(4, convert(Profile.OPENAI, "gpt-4.1", body).getJsonArray("stop").size());
        assertEquals(4, convert(Profile.GENERIC, "qwen3", body).getJsonArray("stop").size());
    }

    @Test
    void openAiAndAzureGetStableHashesOfTheSessionAndTheUserOthersNothing() {
        String body = "{\"model\":\"c\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"metadata\":"
                + "{\"user_id\":\"{\\\"device_id\\\":\\\"dev-1\\\",\\\"account_uuid\\\":\\\"\\\",\\\"session_id\\\":\\\"s-1\\\"}\"}}";
        Attribution named = new Attribution(Optional.of("s-1"), Optional.of("alice@corp"));
        JsonObject openAi = convert(Profile.OPENAI, "gpt-4.1", body, named);
        String cacheKey = openAi.getString("prompt_cache_key");
        String safety = openAi.getString("safety_identifier");
        assertTrue(cacheKey.matches("[0-9a-f]{32}") && safety.matches("[0-9a-f]{32}"), openAi.toString());
        assertFalse(openAi.toString().contains("alice") || openAi.toString().contains("\"s-1\""), openAi.toString());
        assertEquals(cacheKey, convert(Profile.AZURE, "gpt-4.1", body, named).getString("prompt_cache_key"), "stable");
        // Without the header, the session in Claude Code's metadata gives the same key; the device stands for the user.
        JsonObject fromMetadata = convert(Profile.OPENAI, "gpt-4.1", body, Attribution.NONE);
        assertEquals(cacheKey, fromMetadata.getString("prompt_cache_key"));
        assertNotEquals(safety, fromMetadata.getString("safety_identifier"));
        JsonObject generic = convert(Profile.GENERIC, "qwen3", body, named);
        assertFalse(generic.containsKey("prompt_cache_key") || generic.containsKey("safety_identifier"));
    }

    private static List<String> names(JsonObject sent) {
        return sent.getJsonArray("tools").stream()
                .map(tool -> tool.asJsonObject().getJsonObject("function").getString("name")).toList();
    }
}
