package dev.claudeproxy.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.provider.Target;
import dev.claudeproxy.sse.SseEvent;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Responses API's converters, without a server: the request mapping, the event translation, the dialect's choice. */
class ResponsesConvertersTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "gpt-5-codex, true", "gpt-5.1-codex, true", "gpt-5.1-codex-max, true", "gpt-5.1-codex-mini, true",
        "gpt-5.2-codex, true", "codex-mini-latest, true", "gpt-5-pro, true", "o3-pro, true", "o1-pro-2025-03-19, true",
        "openai/gpt-5.1-codex, true", "gpt-5, false", "gpt-5.1, false", "gpt-4.1, false", "o3, false", "o4-mini, false"})
    void theResponsesOnlyModelsAreKnownByName(String model, boolean only) {
        assertEquals(only, Dialect.isResponsesOnly(model));
    }

    /** The Responses-only models have their documented windows, for /v1/models and Claude Code's compaction. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"gpt-5.1-codex-max, 272000", "gpt-5-pro, 272000", "o3-pro, 200000", "o1-pro, 200000",
        "codex-mini-latest, 200000"})
    void theResponsesOnlyModelsHaveTheirContextWindows(String model, int window) {
        assertEquals(java.util.OptionalInt.of(window), dev.claudeproxy.provider.ContextWindows.of("api.openai.com", 443, model,
                java.util.Map.of(), java.util.Map.of()));
    }

    @Test
    void theDialectFollowsTheBasePathThenTheModelOnOpenAiOnly() {
        URI responses = Dialect.endpoint("https://api.openai.com/v1/responses");
        assertEquals(URI.create("https://api.openai.com/v1/responses"), responses);
        URI chat = Dialect.endpoint("https://api.openai.com/v1");
        assertEquals(URI.create("https://api.openai.com/v1/chat/completions"), chat);
        assertEquals(Dialect.RESPONSES, Dialect.of(responses, "gpt-4.1", Profile.GENERIC));
        assertEquals(Dialect.RESPONSES, Dialect.of(chat, "gpt-5.1-codex", Profile.OPENAI));
        assertEquals(Dialect.RESPONSES, Dialect.of(chat, "gpt-5.1-codex", Profile.AZURE));
        assertEquals(Dialect.CHAT_COMPLETIONS, Dialect.of(chat, "gpt-5.1-codex", Profile.OLLAMA));
        assertEquals(Dialect.CHAT_COMPLETIONS, Dialect.of(chat, "gpt-5.1", Profile.OPENAI));
        assertEquals(URI.create("https://api.openai.com/v1/responses"), Dialect.RESPONSES.uri(chat));
        assertEquals(Dialect.RESPONSES, Dialect.of(URI.create("https://r.openai.azure.com/openai/v1/chat/completions"),
                "gpt-5.1-codex", Profile.AZURE));
        // Azure's classic deployment URLs have no Responses sibling: they stay on Chat Completions.
        assertEquals(Dialect.CHAT_COMPLETIONS, Dialect.of(URI.create(
                "https://r.openai.azure.com/openai/deployments/d/chat/completions"), "gpt-5.1-codex", Profile.AZURE));
        assertEquals(chat, Dialect.CHAT_COMPLETIONS.uri(chat));
        // Azure's classic Responses URL needs an api-version that knows it; its v1 API none.
        assertEquals(URI.create("https://r.openai.azure.com/openai/responses?api-version=2025-03-01-preview"),
                Profile.AZURE.requestUri(URI.create("https://r.openai.azure.com/openai/responses"), "2024-10-21"));
        assertEquals(URI.create("https://r.openai.azure.com/openai/responses?api-version=2025-04-01-preview"),
                Profile.AZURE.requestUri(URI.create("https://r.openai.azure.com/openai/responses"), "2025-04-01-preview"));
        assertEquals(URI.create("https://r.openai.azure.com/openai/v1/responses"),
                Profile.AZURE.requestUri(URI.create("https://r.openai.azure.com/openai/v1/responses"), "2024-10-21"));
    }

    @Test
    void theRequestIsWrittenWithEachItemsOwnFields() {
        var clientRequest = MessagesRequestReader.read("""
                {"model":"c","max_tokens":100,"messages":[
                 {"role":"user","content":"Run it"},
                 {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"a.txt"}]}],
                 "tools":[{"name":"Bash","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}}],
                 "output_config":{"format":{"type":"json_schema","schema":{"type":"object","properties":{}}}}}"""
                .getBytes(StandardCharsets.UTF_8));
        Target target = new Target("gpt-5.1-codex", "api.openai.com:443", Profile.OPENAI, 4096,
                RequestConverterTest.target(Profile.OPENAI, "m").thinkingSigner(), true, Dialect.RESPONSES);
        JsonObject written = read(Json.write(ResponsesRequests.from(
                RequestConverter.toChatRequest(clientRequest, target, Attribution.NONE), true, Optional.empty())));
        JsonArray input = written.getJsonArray("input");
        assertEquals(3, input.size(), written.toString());
        assertEquals("message", input.getJsonObject(0).getString("type"));
        // An assistant turn of calls alone is its calls, with no empty message before them.
        assertEquals("function_call", input.getJsonObject(1).getString("type"));
        assertEquals("Bash", input.getJsonObject(1).getString("name"));
        assertEquals("function_call_output", input.getJsonObject(2).getString("type"));
        assertEquals(input.getJsonObject(1).getString("call_id"), input.getJsonObject(2).getString("call_id"));
        assertEquals("a.txt", input.getJsonObject(2).getString("output"));
        JsonObject format = written.getJsonObject("text").getJsonObject("format");
        assertEquals("json_schema", format.getString("type"));
        assertEquals("answer", format.getString("name"));
        assertTrue(format.getBoolean("strict"));
        assertFalse(written.containsKey("instructions"), "no system prompt, no instructions");
        assertFalse(written.containsKey("stop"));
        assertFalse(written.getBoolean("store"));
    }

    @Test
    void aCallWhoseArgumentsNeverStreamedHasThemWholeWhenItsItemIsDone() {
        ResponsesEvents events = new ResponsesEvents();
        ChatCompletion begun = events.chunk(event("{\"type\":\"response.output_item.added\",\"output_index\":0,"
                + "\"item\":{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"Read\",\"arguments\":\"\"}}")).orElseThrow();
        assertEquals("call_1", begun.choices().get(0).delta().toolCalls().get(0).id());
        ChatCompletion done = events.chunk(event("{\"type\":\"response.output_item.done\",\"output_index\":0,"
                + "\"item\":{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"Read\",\"arguments\":\"{\\\"a\\\":1}\"}}"))
                .orElseThrow();
        assertEquals("{\"a\":1}", done.choices().get(0).delta().toolCalls().get(0).function().arguments());
        assertEquals(0, done.choices().get(0).delta().toolCalls().get(0).index());
        assertFalse(events.over());
    }

    @Test
    void argumentsThatStreamedAreNotSentAgainWhenTheItemIsDone() {
        ResponsesEvents events = new ResponsesEvents();
        events.chunk(event("{\"type\":\"response.output_item.added\",\"output_index\":2,"
                + "\"item\":{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"Read\",\"arguments\":\"\"}}"));
        assertTrue(events.chunk(event("{\"type\":\"response.function_call_arguments.delta\",\"output_index\":2,\"delta\":\"{}\"}"))
                .isPresent());
        assertEquals(Optional.empty(), events.chunk(event("{\"type\":\"response.output_item.done\",\"output_index\":2,"
                + "\"item\":{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"Read\",\"arguments\":\"{}\"}}")));
    }

    @Test
    void summaryPartsAreParagraphsOfOneThinking() {
        ResponsesEvents events = new ResponsesEvents();
        assertEquals("First.", reasoning(events, "{\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs\","
                + "\"summary_index\":0,\"delta\":\"First.\"}"));
        assertEquals("\n\nSecond.", reasoning(events, "{\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs\","
                + "\"summary_index\":1,\"delta\":\"Second.\"}"));
        assertEquals(" More.", reasoning(events, "{\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs\","
                + "\"summary_index\":1,\"delta\":\" More.\"}"));
    }

    @Test
    void eventsWithNothingToSayAreSkippedAndAnErrorEndsTheStream() {
        ResponsesEvents events = new ResponsesEvents();
        assertEquals(Optional.empty(), events.chunk(event("{\"type\":\"response.created\",\"response\":{}}")));
        assertEquals(Optional.empty(), events.chunk(event("{\"type\":\"response.web_search_call.searching\"}")));
        assertEquals(Optional.empty(), events.chunk(event("not json")));
        ChatCompletion error = events.chunk(new SseEvent("error", "{\"type\":\"error\",\"code\":\"rate_limit_exceeded\","
                + "\"message\":\"Slow down\"}")).orElseThrow();
        assertEquals("Slow down", error.error().asJsonObject().getString("message"));
        assertEquals(429, error.error().asJsonObject().getInt("code"));
        assertTrue(events.over());
        assertEquals(Optional.empty(), events.chunk(event("{\"type\":\"response.output_text.delta\",\"delta\":\"late\"}")));
    }

    @Test
    void anIncompleteAnswerForAReasonNotKnownIsToldAsItsLimit() {
        JsonObject response = read("{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"something_new\"},\"output\":[]}");
        assertEquals("length", ResponsesAnswers.finishReason(response, false));
        assertEquals("content_filter", ResponsesAnswers.finishReason(
                read("{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"content_filter\"}}"), false));
        assertNull(ResponsesAnswers.usage(read("{\"status\":\"completed\"}")));
    }

    /** An open-weight model's reasoning (gpt-oss behind vLLM) comes as reasoning_text content, not a summary: it is the thinking. */
    @Test
    void reasoningTextContentIsTheThinkingWhenThereIsNoSummary() {
        ResponsesAnswers.Answer answer = ResponsesAnswers.read("{\"status\":\"completed\",\"output\":[{\"type\":\"reasoning\","
                + "\"summary\":[],\"content\":[{\"type\":\"reasoning_text\",\"text\":\"Think first.\"}]},"
                + "{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hi\"}]}]}");
        assertEquals("Think first.", answer.completion().choices().get(0).message().reasoningContent());
        assertEquals(Optional.empty(), answer.carriedReasoning());
    }

    private static String reasoning(ResponsesEvents events, String data) {
        return events.chunk(event(data)).orElseThrow().choices().get(0).delta().reasoningContent();
    }

    private static SseEvent event(String data) {
        return new SseEvent(null, data);
    }

    private static JsonObject read(String text) {
        return Json.readValue(new StringReader(text)).asJsonObject();
    }
}
