package dev.claudeproxy.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.json.CountedHashes;
import dev.claudeproxy.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 28: an answer is written without hashing its content. JSON-B's writer puts every object
 * it writes in a hash set (its recursion check), and a record's own hash walks its whole tree:
 * before, each answer's tool inputs were hashed once per enclosing record (the message, and
 * {@code message_start} around it), 2-3 % of a request's CPU in a profile of the load run.
 */
class AnswerWritingTest {

    @Test
    void aMessageIsWrittenWithoutHashingItsToolInputs() {
        CountedHashes hashed = new CountedHashes();
        Message message = new Message("msg_1", "gpt-4.1", List.of(new ContentBlock.TextBlock("Listing."),
                new ContentBlock.ToolUseBlock("toolu_1", "Bash", hashed.object("{\"command\":\"ls -la\"}")),
                new ContentBlock.OtherBlock("container_upload", hashed.object("{\"type\":\"container_upload\"}"))),
                "tool_use", new Usage(10, 5, 0, 0));

        String written = new String(Json.writeUtf8(message), StandardCharsets.UTF_8);
        String started = EventJson.of(new StreamEvent.MessageStart(message));

        assertTrue(written.contains("\"input\":{\"command\":\"ls -la\"}"), written);
        assertTrue(started.contains("\"input\":{\"command\":\"ls -la\"}"), started);
        assertEquals(0, hashed.count(), "tool inputs hashed while the answer was written");
    }
}
