package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.claudeproxy.EmbeddedGateway;
import dev.claudeproxy.SseTranscript;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Upstreams that speak the OpenAI Responses API (issue 27), through the WAR on embedded Tomcat: a
 * base path ending in {@code /responses} is posted to at exactly that path; the request goes out in
 * the Responses API's terms; its event streams (src/test/resources/streams/responses-*.sse, in the
 * shapes of OpenAI's API reference: text, reasoning summary then a call, text then two calls, an
 * incomplete answer, a failure mid-stream, an error event, a stream cut off) come back as the exact Anthropic event
 * sequence, which the official SDK's strict accumulator takes; its JSON answers and its errors too.
 */
class ResponsesUpstreamTest {

    private static final String BODY = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]}";

    private static WireMockServer upstream;
    private static EmbeddedGateway gateway;

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().dynamicPort());
        upstream.start();
        // The stand-in upstream on loopback is OpenAI, for the models only the Responses API serves.
        gateway = EmbeddedGateway.start("", Map.of("PROFILE_BY_HOST", "127.0.0.1=openai"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.stop();
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
    }

    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of("responses-text", List.of(
                        "message_start", "start 0 text", "delta 0 text Hel", "delta 0 text lo", "stop 0",
                        "message_delta end_turn in=6 out=2 cache_read=4", "message_stop")),
                Arguments.of("responses-reasoning-tool", List.of(
                        "message_start", "start 0 thinking", "delta 0 thinking Need the ", "delta 0 thinking weather tool.",
                        "delta 0 signature", "stop 0", "start 1 tool_use get_weather", "delta 1 json {\"city\":\"Paris\"}",
                        "stop 1", "message_delta tool_use in=19 out=83 cache_read=320", "message_stop")),
                Arguments.of("responses-text-then-two-tools", List.of(
                        "message_start", "start 0 text", "delta 0 text Let me look.", "stop 0",
                        "start 1 tool_use Read", "delta 1 json {\"file_path\":\"/a.txt\"}", "stop 1",
                        "start 2 tool_use Bash", "delta 2 json {\"command\":\"ls\"}", "stop 2",
                        "message_delta tool_use in=50 out=30 cache_read=0", "message_stop")),
                Arguments.of("responses-web-search", List.of(
                        "message_start", "start 0 server_tool_use", "delta 0 json {\"query\":\"weather Paris today\"}", "stop 0",
                        "start 1 web_search_tool_result", "stop 1", "start 2 text", "delta 2 text Paris is sunny today ",
                        "delta 2 text (meteo.example).", "delta 2 citations_delta", "stop 2",
                        "message_delta end_turn in=320 out=45 cache_read=0",
                        "message_stop")),
                Arguments.of("responses-incomplete", List.of(
                        "message_start", "start 0 text", "delta 0 text A long ", "delta 0 text answer", "stop 0",
                        "message_delta max_tokens in=5 out=9 cache_read=0", "message_stop")),
                // Failures after the first byte: an error event, and no message_stop after it.
                Arguments.of("responses-failed", List.of(
                        "message_start", "start 0 text", "delta 0 text Partial", "error api_error")),
                Arguments.of("responses-error-event", List.of(
                        "message_start", "start 0 text", "delta 0 text Partial", "error rate_limit_error")),
                Arguments.of("responses-cut-off", List.of(
                        "message_start", "start 0 text", "delta 0 text Half an ans", "error api_error")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void aResponsesStreamBecomesTheExactAnthropicEventSequence(String fixture, List<String> expected) throws Exception {
        String route = stubStream(fixture);
        assertEquals(expected, SseTranscript.lines(postRaw(route, BODY)));
        upstream.verify(postRequestedFor(urlEqualTo("/" + fixture + "/v1/responses"))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .withRequestBody(matchingJsonPath("$.store", equalTo("false"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theOfficialSdkAccumulatesEveryResponsesStream(String fixture, List<String> expected) {
        String route = stubStream(fixture);
        GatewayHarness.assertSdkAccumulates(() -> sdkStream(route), fixture, expected);
    }

    /**
     * The whole conversation in the Responses API's terms: the system prompt as instructions, text
     * and images as input parts, the assistant's call and its result as a function_call and a
     * function_call_output with the same call_id, tools flattened with strict said (the API takes
     * an absent one as true), the effort as reasoning, store false, no stop (the gateway cuts).
     */
    @Test
    void theRequestGoesOutInTheResponsesApisTerms() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(jsonAnswer("\"Done.\""))));
        String body = """
                {"model":"claude-sonnet-4-5","max_tokens":2048,"stop_sequences":["END"],
                 "system":[{"type":"text","text":"You are terse."}],
                 "thinking":{"type":"enabled","budget_tokens":20000},
                 "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object",
                   "properties":{"city":{"type":"string"}}}}],
                 "tool_choice":{"type":"tool","name":"get_weather"},
                 "messages":[
                  {"role":"user","content":[{"type":"text","text":"Weather?"},
                    {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
                  {"role":"assistant","content":[{"type":"text","text":"Checking."},
                    {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"Sunny"}]}]}""";
        HttpResponse<String> answer = postJson("/http/127.0.0.1:" + upstream.port() + "/v1/responses/gpt-5.1-codex", body);
        assertEquals(200, answer.statusCode(), answer.body());

        LoggedRequest sent = upstream.findAll(postRequestedFor(urlEqualTo("/v1/responses"))).get(0);
        JsonObject request = GatewayHarness.json(sent.getBodyAsString());
        assertEquals("gpt-5.1-codex", request.getString("model"));
        assertEquals("You are terse.", request.getString("instructions"));
        assertEquals(2048, request.getInt("max_output_tokens"));
        assertFalse(request.getBoolean("store"));
        assertFalse(request.containsKey("stop") || request.containsKey("messages") || request.containsKey("previous_response_id"),
                request.toString());
        assertEquals("high", request.getJsonObject("reasoning").getString("effort"));
        assertEquals("auto", request.getJsonObject("reasoning").getString("summary"));
        JsonObject tool = request.getJsonArray("tools").getJsonObject(0);
        assertEquals("function", tool.getString("type"));
        assertEquals("get_weather", tool.getString("name"));
        assertFalse(tool.getBoolean("strict"));
        assertEquals("object", tool.getJsonObject("parameters").getString("type"));
        assertEquals(GatewayHarness.json("{\"type\":\"function\",\"name\":\"get_weather\"}"), request.getJsonObject("tool_choice"));

        JsonArray input = request.getJsonArray("input");
        assertEquals(List.of("message", "message", "function_call", "function_call_output"),
                input.stream().map(item -> item.asJsonObject().getString("type")).toList());
        JsonObject user = input.getJsonObject(0);
        assertEquals("user", user.getString("role"));
        assertEquals("input_text", user.getJsonArray("content").getJsonObject(0).getString("type"));
        JsonObject image = user.getJsonArray("content").getJsonObject(1);
        assertEquals("input_image", image.getString("type"));
        assertEquals("data:image/png;base64,iVBORw0KGgo=", image.getString("image_url"));
        JsonObject assistant = input.getJsonObject(1);
        assertEquals("assistant", assistant.getString("role"));
        assertEquals("output_text", assistant.getJsonArray("content").getJsonObject(0).getString("type"));
        assertEquals("Checking.", assistant.getJsonArray("content").getJsonObject(0).getString("text"));
        JsonObject call = input.getJsonObject(2);
        assertEquals("get_weather", call.getString("name"));
        assertEquals(GatewayHarness.json("{\"city\":\"Paris\"}"), GatewayHarness.json(call.getString("arguments")));
        assertEquals(call.getString("call_id"), input.getJsonObject(3).getString("call_id"));
        assertEquals("Sunny", input.getJsonObject(3).getString("output"));
    }

    /**
     * The reasoning round trip, stateless: the encrypted reasoning of one turn rides in its
     * thinking block's signature, and when the client sends the block back (as Claude Code does),
     * it goes back to the upstream as the reasoning item it was, before that turn's call; a block
     * whose signature was not made here for this upstream, or was edited, gives back nothing.
     */
    @Test
    void theReasoningGoesBackToTheUpstreamAsItEncryptedIt() throws Exception {
        String route = stubStream("responses-reasoning-tool");
        List<JsonObject> events = SseTranscript.events(postRaw(route, BODY));
        JsonObject signatureDelta = events.stream().filter(event -> event.getString("type").equals("content_block_delta")
                && event.getJsonObject("delta").getString("type").equals("signature_delta")).findFirst().orElseThrow();
        String signature = signatureDelta.getJsonObject("delta").getString("signature");
        assertTrue(signature.startsWith("cpx1.") && signature.endsWith(".gAAAAABoSealedReasoning=="), signature);
        JsonObject first = GatewayHarness.json(upstream.findAll(postRequestedFor(urlEqualTo("/responses-reasoning-tool/v1/responses")))
                .get(0).getBodyAsString());
        assertEquals("[\"reasoning.encrypted_content\"]", first.getJsonArray("include").toString());

        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(jsonAnswer("\"Sunny in Paris.\""))));
        String sameUpstream = "/http/127.0.0.1:" + upstream.port() + "/v1/responses/gpt-5.1-codex";
        // The stream came from the same upstream authority (127.0.0.1 and its port): its signature holds here.
        JsonObject next = nextTurn(sameUpstream, signature);
        JsonArray input = next.getJsonArray("input");
        assertEquals(List.of("message", "reasoning", "function_call", "function_call_output"),
                input.stream().map(item -> item.asJsonObject().getString("type")).toList(), input.toString());
        JsonObject reasoning = input.getJsonObject(1);
        assertEquals("gAAAAABoSealedReasoning==", reasoning.getString("encrypted_content"));
        assertEquals(0, reasoning.getJsonArray("summary").size());
        assertFalse(reasoning.containsKey("id"), "nothing is stored at the provider: no item id");

        String edited = signature.replace("gAAAAABoSealedReasoning==", "gAAAAABoSomeoneElses==");
        JsonObject refused = nextTurn(sameUpstream, edited);
        assertEquals(List.of("message", "function_call", "function_call_output"),
                refused.getJsonArray("input").stream().map(item -> item.asJsonObject().getString("type")).toList());
    }

    /** A reasoning item with no summary still comes back, as a thinking block with no text, so that it can go back. */
    @Test
    void reasoningWithoutASummaryIsAnEmptyThinkingBlockThatCarriesIt() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody("{\"id\":\"resp_2\",\"object\":\"response\",\"status\":\"completed\",\"output\":["
                        + "{\"id\":\"rs_2\",\"type\":\"reasoning\",\"summary\":[],\"encrypted_content\":\"gAAAAABoQuiet==\"},"
                        + "{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
                        + "\"text\":\"Hi.\",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":5,\"output_tokens\":40}}")));
        HttpResponse<String> answer = postJson("/http/127.0.0.1:" + upstream.port() + "/v1/responses/gpt-5.1-codex",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        JsonArray content = GatewayHarness.json(answer.body()).getJsonArray("content");
        assertEquals("thinking", content.getJsonObject(0).getString("type"), answer.body());
        assertEquals("", content.getJsonObject(0).getString("thinking"));
        assertTrue(content.getJsonObject(0).getString("signature").endsWith(".gAAAAABoQuiet=="), answer.body());
        assertEquals("Hi.", content.getJsonObject(1).getString("text"));
    }

    /** Sends the turn after a call, with the call's thinking block signed {@code signature}, and returns what went upstream. */
    private static JsonObject nextTurn(String route, String signature) throws Exception {
        upstream.resetRequests();
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"Need the weather tool.\","
                + "\"signature\":\"" + signature + "\"},{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\","
                + "\"input\":{\"city\":\"Paris\"}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"Sunny\"}]}]}";
        HttpResponse<String> answer = postJson(route, body);
        assertEquals(200, answer.statusCode(), answer.body());
        return GatewayHarness.json(upstream.findAll(postRequestedFor(urlEqualTo("/v1/responses"))).get(0).getBodyAsString());
    }

    /** Claude Code's WebSearch asks for Anthropic's web_search server tool, by name in tool_choice. */
    private static final String WEB_SEARCH_REQUEST = """
            {"model":"claude-sonnet-4-5","max_tokens":4096,
             "system":"You run a web search for another Claude model, which is waiting on the result and can search again.",
             "messages":[{"role":"user","content":"Perform a web search for the query: weather Paris today"}],
             "tools":[{"type":"web_search_20250305","name":"web_search","allowed_domains":["meteo.example","news.example"],
               "max_uses":8}],
             "tool_choice":{"type":"tool","name":"web_search"}}""";

    /**
     * On OpenAI's Responses API, Anthropic's web search runs as OpenAI's hosted one, and its call
     * and pages come back as Anthropic's API shows its own (the pages titled as the answer cites
     * them), so Claude Code's WebSearch works on OpenAI's models.
     */
    @Test
    void aWebSearchRunsAsOpenAisHostedSearchAndComesBackAsAnthropicsBlocks() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody("""
                        {"id":"resp_ws","object":"response","status":"completed","model":"gpt-5.1","output":[
                         {"id":"ws_1","type":"web_search_call","status":"completed","action":{"type":"search",
                          "query":"weather Paris today","sources":[{"type":"url","url":"https://meteo.example/paris"},
                          {"type":"url","url":"https://news.example/weather"}]}},
                         {"id":"msg_1","type":"message","role":"assistant","status":"completed","content":[
                          {"type":"output_text","text":"Paris is sunny today.","annotations":[{"type":"url_citation",
                           "start_index":0,"end_index":20,"url":"https://meteo.example/paris","title":"Paris weather"}]}]}],
                         "usage":{"input_tokens":320,"output_tokens":45,"total_tokens":365}}""")));
        HttpResponse<String> answer = postJson("/http/127.0.0.1:" + upstream.port() + "/v1/responses/gpt-5.1", WEB_SEARCH_REQUEST);
        assertEquals(200, answer.statusCode(), answer.body());

        JsonObject request = GatewayHarness.json(upstream.findAll(postRequestedFor(urlEqualTo("/v1/responses"))).get(0)
                .getBodyAsString());
        assertEquals(GatewayHarness.json("{\"type\":\"web_search\",\"filters\":{\"allowed_domains\":"
                + "[\"meteo.example\",\"news.example\"]}}"), request.getJsonArray("tools").getJsonObject(0));
        assertEquals(1, request.getJsonArray("tools").size());
        assertEquals("required", request.getString("tool_choice"));
        assertTrue(request.getJsonArray("include").toString().contains("web_search_call.action.sources"), request.toString());

        JsonArray content = GatewayHarness.json(answer.body()).getJsonArray("content");
        assertEquals(List.of("server_tool_use", "web_search_tool_result", "text"),
                content.stream().map(block -> block.asJsonObject().getString("type")).toList(), answer.body());
        JsonObject call = content.getJsonObject(0);
        assertEquals("web_search", call.getString("name"));
        assertEquals("weather Paris today", call.getJsonObject("input").getString("query"));
        assertTrue(call.getString("id").matches("srvtoolu_[A-Za-z0-9]{24}"), call.getString("id"));
        JsonObject results = content.getJsonObject(1);
        assertEquals(call.getString("id"), results.getString("tool_use_id"));
        assertEquals(GatewayHarness.json("{\"type\":\"web_search_result\",\"url\":\"https://meteo.example/paris\","
                + "\"title\":\"Paris weather\",\"encrypted_content\":\"\",\"page_age\":null}"), results.getJsonArray("content").getJsonObject(0));
        assertEquals("https://news.example/weather", results.getJsonArray("content").getJsonObject(1).getString("title"));
        assertEquals("Paris is sunny today.", content.getJsonObject(2).getString("text"));
        assertEquals(GatewayHarness.json("{\"type\":\"web_search_result_location\",\"url\":\"https://meteo.example/paris\","
                + "\"title\":\"Paris weather\",\"encrypted_index\":\"\",\"cited_text\":\"Paris is sunny today\"}"),
                content.getJsonObject(2).getJsonArray("citations").getJsonObject(0));

        // The official SDK reads every block of it.
        com.anthropic.models.messages.Message read = GatewayHarness.sdk(gateway.baseUrl() + "/http/127.0.0.1:"
                + upstream.port() + "/v1/responses/gpt-5.1", "sk-test").messages().create(MessageCreateParams.builder()
                .model("claude-sonnet-4-5").maxTokens(1024).addUserMessage("Perform a web search for the query: weather")
                .addTool(com.anthropic.models.messages.WebSearchTool20250305.builder().build()).build());
        assertTrue(read.content().get(0).isServerToolUse(), read.toString());
        assertEquals("Paris weather", read.content().get(2).asText().citations().orElseThrow().get(0)
                .asWebSearchResultLocation().title().orElseThrow());
        assertEquals(2, read.content().get(1).asWebSearchToolResult().content().asResultBlocks().size());
    }

    /** Streamed, the citation reaches the text it belongs to, as the official SDK accumulates it. */
    @Test
    void aStreamedCitationIsAccumulatedIntoItsTextBlock() {
        Message message = sdkStream(stubStream("responses-web-search"));
        var citation = message.content().get(2).asText().citations().orElseThrow().get(0).asWebSearchResultLocation();
        assertEquals("https://meteo.example/paris", citation.url());
        assertEquals("(meteo.example)", citation.citedText());
    }

    /** Where the upstream hosts no search (any other than OpenAI's and Azure's Responses API), the tool is left out, as before. */
    @Test
    void elsewhereTheWebSearchToolIsLeftOut() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(jsonAnswer("\"From memory.\""))));
        HttpResponse<String> answer = postJson("/http/localhost:" + upstream.port() + "/v1/responses/some-model", WEB_SEARCH_REQUEST);
        assertEquals(200, answer.statusCode(), answer.body());
        JsonObject request = GatewayHarness.json(upstream.findAll(postRequestedFor(urlEqualTo("/v1/responses"))).get(0)
                .getBodyAsString());
        assertFalse(request.containsKey("tools") || request.containsKey("tool_choice"), request.toString());
        assertTrue(answer.body().contains("From memory."), answer.body());
    }

    /** A JSON answer: reasoning summary as thinking, text, a call as tool_use; usage with the cached part apart. */
    @Test
    void aJsonAnswerBecomesOneAnthropicMessage() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody("""
                        {"id":"resp_1","object":"response","status":"completed","model":"gpt-5.1-codex","output":[
                         {"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"Look it up."}],
                          "encrypted_content":"gAAAA"},
                         {"id":"msg_1","type":"message","role":"assistant","status":"completed",
                          "content":[{"type":"output_text","text":"Checking.","annotations":[]}]},
                         {"id":"fc_1","type":"function_call","status":"completed","call_id":"call_1","name":"get_weather",
                          "arguments":"{\\"city\\":\\"Paris\\"}"}],
                         "usage":{"input_tokens":100,"input_tokens_details":{"cached_tokens":60},"output_tokens":20,
                          "output_tokens_details":{"reasoning_tokens":8},"total_tokens":120}}""")));
        HttpResponse<String> answer = postJson("/http/127.0.0.1:" + upstream.port() + "/v1/responses/gpt-5.1-codex",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}]}");
        assertEquals(200, answer.statusCode(), answer.body());
        JsonObject message = GatewayHarness.json(answer.body());
        JsonArray content = message.getJsonArray("content");
        assertEquals(List.of("thinking", "text", "tool_use"),
                content.stream().map(block -> block.asJsonObject().getString("type")).toList());
        assertEquals("Look it up.", content.getJsonObject(0).getString("thinking"));
        assertEquals("Checking.", content.getJsonObject(1).getString("text"));
        assertEquals("get_weather", content.getJsonObject(2).getString("name"));
        assertEquals(GatewayHarness.json("{\"city\":\"Paris\"}"), content.getJsonObject(2).getJsonObject("input"));
        assertEquals("tool_use", message.getString("stop_reason"));
        JsonObject usage = message.getJsonObject("usage");
        assertEquals(40, usage.getInt("input_tokens"));
        assertEquals(60, usage.getInt("cache_read_input_tokens"));
        assertEquals(20, usage.getInt("output_tokens"));
    }

    /** The Responses API has no stop strings: the gateway cuts the answer and says which sequence stopped it. */
    @Test
    void aStopSequenceIsCutByTheGateway() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(jsonAnswer("\"Hello END world\""))));
        HttpResponse<String> answer = postJson("/http/127.0.0.1:" + upstream.port() + "/v1/responses/gpt-5.1-codex",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"stop_sequences\":[\"END\"],"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        JsonObject message = GatewayHarness.json(answer.body());
        assertEquals("Hello ", message.getJsonArray("content").getJsonObject(0).getString("text"), answer.body());
        assertEquals("stop_sequence", message.getString("stop_reason"));
        assertEquals("END", message.getString("stop_sequence"));
    }

    /** On OpenAI, a model only the Responses API serves goes there from a plain /v1 base; any other stays on Chat Completions. */
    @Test
    void aResponsesOnlyModelOnOpenAiGoesToItsResponsesEndpoint() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(jsonAnswer("\"From responses.\""))));
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"c\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"From chat.\"},\"finish_reason\":\"stop\"}]}")));
        String request = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        HttpResponse<String> codex = postJson("/http/127.0.0.1:" + upstream.port() + "/v1/gpt-5.1-codex-max", request);
        assertTrue(codex.body().contains("From responses."), codex.body());
        HttpResponse<String> chat = postJson("/http/127.0.0.1:" + upstream.port() + "/v1/gpt-4.1", request);
        assertTrue(chat.body().contains("From chat."), chat.body());
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/responses"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-5.1-codex-max"))));
    }

    /** The OpenAI error body and status become the Anthropic envelope, retry-after kept. */
    @Test
    void anUpstreamErrorIsTheAnthropicEnvelopeWithItsRetryAfter() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withHeader("retry-after", "7")
                .withBody("{\"error\":{\"message\":\"Rate limit reached for gpt-5.1-codex\",\"type\":\"requests\","
                        + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}")));
        HttpResponse<String> answer = postJson("/http/127.0.0.1:" + upstream.port() + "/v1/responses/gpt-5.1-codex",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                "x-stainless-retry-count", "1");
        assertEquals(429, answer.statusCode(), answer.body());
        JsonObject error = GatewayHarness.json(answer.body());
        assertEquals("error", error.getString("type"));
        assertEquals("rate_limit_error", error.getJsonObject("error").getString("type"));
        assertEquals("7", answer.headers().firstValue("retry-after").orElse(""));
    }

    /** What is not a Responses API answer is a 502 that names the dialect and shows none of the body. */
    @Test
    void aBodyThatIsNoResponseIsA502ThatShowsNothingOfIt() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody("{\"secret\":\"s3cr3t\"}")));
        HttpResponse<String> answer = postJson("/http/127.0.0.1:" + upstream.port() + "/v1/responses/gpt-5.1-codex",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals(502, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("not a Responses API response"), answer.body());
        assertFalse(answer.body().contains("s3cr3t"), answer.body());
    }

    private static String jsonAnswer(String text) {
        return "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"gpt-5.1-codex\",\"output\":["
                + "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"status\":\"completed\",\"content\":["
                + "{\"type\":\"output_text\",\"text\":" + text + ",\"annotations\":[]}]}],"
                + "\"usage\":{\"input_tokens\":9,\"output_tokens\":3,\"total_tokens\":12}}";
    }

    private static String stubStream(String fixture) {
        upstream.stubFor(post(urlEqualTo("/" + fixture + "/v1/responses")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream")
                .withBody(GatewayHarness.fixture(fixture))
                .withChunkedDribbleDelay(13, 100)));
        return "/http/127.0.0.1:" + upstream.port() + "/" + fixture + "/v1/responses/gpt-5.1-codex";
    }

    private static HttpResponse<String> postJson(String route, String body, String... headers) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + route + "/v1/messages"))
                .header("content-type", "application/json").header("x-api-key", "sk-test")
                .header("anthropic-version", "2023-06-01");
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return GatewayHarness.HTTP.send(builder.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String postRaw(String route, String body) throws Exception {
        return GatewayHarness.eventStream(postJson(route, body));
    }

    private static Message sdkStream(String route) {
        return GatewayHarness.sdkStreamed(gateway.baseUrl() + route);
    }
}
