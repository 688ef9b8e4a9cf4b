package dev.claudeproxy.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.api.Encoding;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import jakarta.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The token counter's cost is linear and bounded in its input (issue 11, point 2): text from
 * outsiders is counted in short slices, and past a budget extrapolated, so no text can make it
 * hold memory out of proportion to the text.
 */
class TokenCounterTest {

    private static final String PROSE = "The quick brown fox jumps over the lazy dog. "
            + "public static void main(String[] args) { return x + 1; }\n";

    /** Bytes this thread allocates while {@code work} runs (HotSpot's per-thread counter). */
    private static long allocatedBy(Runnable work) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        work.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void aLongRunWithoutWhitespaceCostsABoundedAmountOfWork() {
        TokenCounter.countText("a".repeat(10_000), "gpt-4o"); // loads the encoding
        long[] tokens = new long[2];
        String word = "a".repeat(4 << 20);
        long four = allocatedBy(() -> tokens[0] = TokenCounter.countText(word, "gpt-4o"));
        String longer = "a".repeat(16 << 20);
        long sixteen = allocatedBy(() -> tokens[1] = TokenCounter.countText(longer, "gpt-4o"));
        // o200k makes one token of every 8 'a's.
        assertEquals(word.length() / 8.0, tokens[0], word.length() / 8.0 * 0.02);
        assertEquals(longer.length() / 8.0, tokens[1], longer.length() / 8.0 * 0.02);
        assertTrue(four < 256L << 20, "allocated " + (four >> 20) + " MiB for a 4 MiB word");
        assertTrue(sixteen < four * 3 / 2, "a 16 MiB word costs about what a 4 MiB one does (the exact budget), not "
                + (sixteen >> 20) + " MiB against " + (four >> 20));
    }

    @Test
    void slicingKeepsCountsOfOrdinaryTextExact() {
        String text = PROSE.repeat(2000);
        Encoding encoding = TokenCounter.encodingFor("gpt-4o");
        assertEquals(encoding.countTokensOrdinary(text), TokenCounter.countText(text, "gpt-4o"));
    }

    @Test
    void pastItsBudgetACountExtrapolatesAtTheRatioItMeasured() {
        String text = PROSE.repeat(4000);
        MessagesRequest request = MessagesRequestReader.readForCounting(("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + text.replace("\n", "\\n") + "\"}]}").getBytes(StandardCharsets.UTF_8));
        int exact = TokenCounter.countInput(request, "gpt-4o");
        int extrapolated = TokenCounter.countInput(request, "gpt-4o", 20_000);
        assertEquals(exact, extrapolated, exact * 0.01, "within 1 %");
    }

    @Test
    void anOutputTallyCountsWhatItWasGivenPieceByPiece() {
        OutputTally tally = TokenCounter.outputTally("gpt-4o");
        StringBuilder whole = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            String piece = i % 7 == 0 ? "tok" + i : " word" + i + ".";
            tally.add(piece);
            whole.append(piece);
        }
        assertEquals(TokenCounter.countText(whole.toString(), "gpt-4o"), tally.tokens(), 10,
                "slices cut at whitespace change the count by a token at most now and then");
    }

    /** What a conversation repeats is counted from the slice counts the same as by tokenizing it. */
    @Test
    void aRepeatedLongTextCountsTheSameFromTheSliceCounts() {
        Encoding encoding = TokenCounter.encodingFor("gpt-4.1");
        String text = ("You are Claude Code, a coding agent. Use the tools to read and edit files; "
                + "never guess a path. \u00e9\u6f22\u5b57 ").repeat(300);
        long direct = 0;
        for (int start = 0; start < text.length(); ) {
            int end = TokenCounter.Tally.sliceEnd(text, start);
            direct += encoding.countTokensOrdinary(text.substring(start, end));
            start = end;
        }
        int first = TokenCounter.countText(text, "gpt-4.1");
        int second = TokenCounter.countText(new String(text.toCharArray()), "gpt-4.1");
        assertEquals(direct, first);
        assertEquals(first, second);
    }

    @Test
    void theSliceCountsAreBounded() {
        Encoding encoding = TokenCounter.encodingFor("gpt-4.1");
        for (int i = 0; i < TokenCounter.Counts.MAX_ENTRIES + 10; i++) {
            TokenCounter.Counts.slice(encoding, i + " " + "word ".repeat(60));
        }
        assertTrue(TokenCounter.Counts.SLICES.size() <= TokenCounter.Counts.MAX_ENTRIES,
                "slices held: " + TokenCounter.Counts.SLICES.size());
    }

    /**
     * Issue 28: a conversation's next turn, parsed anew as every request is, tokenizes only what it
     * adds; the system prompt, the tools' schemas and the earlier messages are told from the
     * counts kept. Before, short texts and every schema were tokenized on every request.
     */
    @Test
    void aConversationsNextTurnTokenizesOnlyWhatItAdds() throws Exception {
        JsonObject turn = capturedTurnWithTools();
        String added = "Now run the tests, please, and tell me which of them failed and why.";
        JsonObject next = jakarta.json.Json.createObjectBuilder(turn).add("messages", jakarta.json.Json.createArrayBuilder(
                turn.getJsonArray("messages")).add(jakarta.json.Json.createObjectBuilder().add("role", "user")
                .add("content", added))).build();
        int first = TokenCounter.countInput(read(turn), "gpt-4.1");

        long before = TokenCounter.Counts.tokenized();
        int again = TokenCounter.countInput(read(turn), "gpt-4.1");
        long tokenizedAgain = TokenCounter.Counts.tokenized() - before;
        before = TokenCounter.Counts.tokenized();
        int grown = TokenCounter.countInput(read(next), "gpt-4.1");
        long tokenizedGrown = TokenCounter.Counts.tokenized() - before;

        assertEquals(first, again, "the kept counts are the counts");
        assertEquals(first + 4 + TokenCounter.countText(added, "gpt-4.1"), grown, "the new message's tokens and its framing");
        int chars = turn.toString().length();
        assertTrue(tokenizedAgain < chars / 100, "the same request again tokenized " + tokenizedAgain + " of " + chars + " characters");
        assertTrue(tokenizedGrown < tokenizedAgain + added.length() + 1,
                "the next turn tokenized " + tokenizedGrown + " characters, adding " + added.length());
    }

    /** A schema far larger than any tool's is counted, not kept: the cache holds no outsider's tree out of bound. */
    @Test
    void aHugeSchemaIsCountedButNotKept() {
        jakarta.json.JsonObjectBuilder properties = jakarta.json.Json.createObjectBuilder();
        for (int i = 0; i < 20_000; i++) {
            properties.add("p" + i, jakarta.json.Json.createObjectBuilder().add("type", "string"));
        }
        JsonObject schema = jakarta.json.Json.createObjectBuilder().add("type", "object").add("properties", properties).build();
        assertTrue(schema.toString().length() > 64 << 10, "a schema of " + schema.toString().length());
        MessagesRequest request = read(jakarta.json.Json.createObjectBuilder().add("model", "m").add("max_tokens", 10)
                .add("messages", jakarta.json.Json.createArrayBuilder().add(jakarta.json.Json.createObjectBuilder()
                        .add("role", "user").add("content", "hi")))
                .add("tools", jakarta.json.Json.createArrayBuilder().add(jakarta.json.Json.createObjectBuilder()
                        .add("name", "huge").add("input_schema", schema))).build());
        int counted = TokenCounter.countInput(request, "gpt-4.1");
        assertTrue(counted > 20_000, "counted: " + counted);
        assertEquals(null, TokenCounter.Counts.JSON.get(TokenCounter.encodingFor("gpt-4.1"), request.tools().get(0).inputSchema()),
                "a " + schema.toString().length() + "-character schema was kept");
    }

    private static JsonObject capturedTurnWithTools() throws Exception {
        try (var in = TokenCounterTest.class.getResourceAsStream("/captures/cli-print-tool-roundtrip.jsonl")) {
            String line = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("\"tools\"")).findFirst().orElseThrow();
            return dev.claudeproxy.json.Json.readValue(new java.io.StringReader(line)).asJsonObject().getJsonObject("body");
        }
    }

    private static MessagesRequest read(JsonObject body) {
        return MessagesRequestReader.read(body.toString().getBytes(StandardCharsets.UTF_8));
    }
}
