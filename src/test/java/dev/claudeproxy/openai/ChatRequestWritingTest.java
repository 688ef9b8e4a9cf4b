package dev.claudeproxy.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.json.CountedHashes;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.responses.ResponsesRequest;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
        CountedHashes hashed = new CountedHashes();
        JsonObject schema = hashed.object("{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}}}");
        JsonValue content = hashed.object("{\"text\":\"a tool's long output\"}");
        ChatRequest request = new ChatRequest("gpt-4.1", List.of(new ChatMessage(ChatRole.USER, content, null, null)),
                100, null, null, null, null, true, null,
                List.of(new ChatRequest.ChatTool(new ChatRequest.FunctionDefinition("Bash", "Runs a command", schema, null))),
                null, null, null, null, null, null);

        String written = new String(Json.writeUtf8(request), StandardCharsets.UTF_8);

        assertTrue(written.contains("\"properties\":{\"command\":{\"type\":\"string\"}}"), written);
        assertEquals(0, hashed.count(), "schema and content hashed while the body was written");
    }

    @Test
    void aResponsesBodyIsWrittenWithoutHashingItsSchemasOrContents() {
        CountedHashes hashed = new CountedHashes();
        JsonObject schema = hashed.object("{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}}}");
        JsonObject part = hashed.object("{\"type\":\"input_text\",\"text\":\"hi\"}");
        ResponsesRequest request = new ResponsesRequest("gpt-5.1-codex", "Be brief.",
                List.of(new ResponsesRequest.MessageItem("user", List.of(part))), 100, null, null, true,
                List.of(new ResponsesRequest.FunctionTool("Bash", "Runs a command", schema, true)), null, null, null,
                null, null, false, null, null);

        String written = new String(Json.writeUtf8(request), StandardCharsets.UTF_8);

        assertTrue(written.contains("\"input_text\""), written);
        assertEquals(0, hashed.count(), "schema and content hashed while the body was written");
    }
}
