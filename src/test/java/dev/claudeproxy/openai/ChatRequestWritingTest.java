package dev.claudeproxy.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.json.Json;
import dev.claudeproxy.responses.ResponsesRequest;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 28: writing a request body walks its tool schemas and message contents once, to write
 * them, and never to hash them. JSON-B's writer puts every object it writes in a hash set (its
 * recursion check), and a record's own hash walks its whole tree: before, each request's schemas
 * and contents were hashed once per enclosing record (about 6 % of a 100 KB request's CPU).
 */
class ChatRequestWritingTest {

    @Test
    void aChatCompletionsBodyIsWrittenWithoutHashingItsSchemasOrContents() {
        AtomicInteger hashed = new AtomicInteger();
        JsonObject schema = counting(read("{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}}}"), hashed);
        JsonValue content = counting(read("{\"text\":\"a tool's long output\"}"), hashed);
        ChatRequest request = new ChatRequest("gpt-4.1", List.of(new ChatMessage(ChatRole.USER, content, null, null)),
                100, null, null, null, null, true, null,
                List.of(new ChatRequest.ChatTool(new ChatRequest.FunctionDefinition("Bash", "Runs a command", schema, null))),
                null, null, null, null, null, null);

        String written = new String(Json.writeUtf8(request), StandardCharsets.UTF_8);

        assertTrue(written.contains("\"properties\":{\"command\":{\"type\":\"string\"}}"), written);
        assertEquals(0, hashed.get(), "schema and content hashed while the body was written");
    }

    @Test
    void aResponsesBodyIsWrittenWithoutHashingItsSchemasOrContents() {
        AtomicInteger hashed = new AtomicInteger();
        JsonObject schema = counting(read("{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}}}"), hashed);
        JsonObject part = counting(read("{\"type\":\"input_text\",\"text\":\"hi\"}"), hashed);
        ResponsesRequest request = new ResponsesRequest("gpt-5.1-codex", "Be brief.",
                List.of(new ResponsesRequest.MessageItem("user", List.of(part))), 100, null, null, true,
                List.of(new ResponsesRequest.FunctionTool("Bash", "Runs a command", schema, true)), null, null, null,
                null, null, false, null, null);

        String written = new String(Json.writeUtf8(request), StandardCharsets.UTF_8);

        assertTrue(written.contains("\"input_text\""), written);
        assertEquals(0, hashed.get(), "schema and content hashed while the body was written");
    }

    /** {@code value}, counting each call of its {@code hashCode}. */
    private static JsonObject counting(JsonObject value, AtomicInteger hashed) {
        return (JsonObject) Proxy.newProxyInstance(JsonObject.class.getClassLoader(), new Class<?>[] {JsonObject.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("hashCode") && method.getParameterCount() == 0) {
                        hashed.incrementAndGet();
                    }
                    try {
                        return method.invoke(value, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static JsonObject read(String json) {
        return Json.readValue(new StringReader(json)).asJsonObject();
    }
}
