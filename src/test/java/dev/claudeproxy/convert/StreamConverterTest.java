package dev.claudeproxy.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.SseTranscript;
import dev.claudeproxy.anthropic.ContentBlock;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.anthropic.EventJson;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.openai.ChatCompletionReader;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.sse.SseParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Upstream chunks (inline JSON) in, the Anthropic event sequence out; no server involved. */
class StreamConverterTest {

    private static final String END = "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":5}}";

    static Stream<Arguments> reasoningShapes() {
        return Stream.of(
                Arguments.of("reasoning field (OpenRouter, Ollama, Groq, vLLM)", List.of(
                        "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"2+2 \"}}]}",
                        "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"is 4\"}}]}",
                        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"4\"}}]}", END)),
                Arguments.of("reasoning_content (DeepSeek, xAI)", List.of(
                        "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"2+2 is 4\",\"content\":null}}]}",
                        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"4\",\"reasoning_content\":null}}]}", END)),
                Arguments.of("Magistral thinking parts", List.of(
                        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"thinking\",\"thinking\":"
                                + "[{\"type\":\"text\",\"text\":\"2+2 is 4\"}]}]}}]}",
                        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"4\"}]}}]}", END)),
                Arguments.of("<think> tags split across chunks", List.of(
                        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"<thi\"}}]}",
                        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"nk>2+2 \"}}]}",
                        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"is 4</th\"}}]}",
                        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ink>\\n\\n4\"}}]}", END)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasoningShapes")
    void upstreamReasoningBecomesASignedThinkingBlockClosedBeforeText(String shape, List<String> chunks) {
        String wire = convert(chunks);
        assertEquals(List.of("message_start", "start 0 thinking", "delta 0 thinking 2+2 is 4", "delta 0 signature",
                "stop 0", "start 1 text", "delta 1 text 4", "stop 1", "message_delta end_turn in=5 out=5 cache_read=0",
                "message_stop"), joinDeltas(SseTranscript.lines(wire)));
        String signature = SseTranscript.events(wire).stream().filter(event -> event.containsKey("delta")
                        && "signature_delta".equals(event.getJsonObject("delta").getString("type", "")))
                .findFirst().orElseThrow().getJsonObject("delta").getString("signature");
        assertTrue(RequestConverterTest.SIGNATURES.verify("upstream.example:443", "2+2 is 4", signature));
    }

    @Test
    void contentNotStartingWithThinkTagPassesThrough() {
        assertEquals(List.of("message_start", "start 0 text", "delta 0 text I <think> so", "stop 0",
                        "message_delta end_turn in=5 out=5 cache_read=0", "message_stop"),
                joinDeltas(SseTranscript.lines(convert(List.of(
                        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"I <think> so\"}}]}", END)))));
    }

    @Test
    void geminiCallsWithoutIndexOrIdAreKeptApartByTheirNames() {
        assertEquals(List.of("message_start", "start 0 tool_use A", "delta 0 json {\"x\":1}", "stop 0",
                        "start 1 tool_use B", "delta 1 json {}", "stop 1", "message_delta tool_use in=5 out=5 cache_read=0",
                        "message_stop"),
                SseTranscript.lines(convert(List.of(
                        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"function\":{\"name\":\"A\",\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}",
                        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"function\":{\"name\":\"B\",\"arguments\":\"\"}}]}}]}",
                        END))));
    }

    @Test
    void callsThatAllReuseIndexZeroAreKeptApartByTheirIds() {
        assertEquals(List.of("message_start", "start 0 tool_use A", "delta 0 json {\"x\":1}", "stop 0",
                        "start 1 tool_use A", "delta 1 json {\"x\":2}", "stop 1", "message_delta tool_use in=5 out=5 cache_read=0",
                        "message_stop"),
                SseTranscript.lines(convert(List.of(
                        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_0\",\"function\":"
                                + "{\"name\":\"A\",\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}",
                        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"function\":"
                                + "{\"name\":\"A\",\"arguments\":\"{\\\"x\\\":2}\"}}]}}]}",
                        END))));
    }

    /** Issue 11, point 3: arguments are held until their call is complete, so they stop at a bound. */
    @Test
    void toolArgumentsPastTheirBoundEndTheStreamWithAnError() {
        var request = MessagesRequestReader.read("{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        StreamConverter converter = new StreamConverter("c", StopSequences.NONE, RequestConverterTest.target(Profile.GENERIC, "m"),
                new UsageEstimate(request, "m"), 1000);
        converter.start();
        ChatCompletion first = ChatCompletionReader.read("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\","
                + "\"function\":{\"name\":\"Write\",\"arguments\":\"{\\\"content\\\":\\\"\"}}]}}]}");
        ChatCompletion more = ChatCompletionReader.read("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"function\":{\"arguments\":\"" + "x".repeat(300) + "\"}}]}}]}");
        assertEquals(2, converter.onChunk(first).size(), "the call's block opens, its input starts streaming");
        assertEquals(1, converter.onChunk(more).size());
        assertEquals(1, converter.onChunk(more).size());
        assertEquals(1, converter.onChunk(more).size());
        List<StreamEvent> past = converter.onChunk(more);
        assertEquals(1, past.size(), past.toString());
        StreamEvent.ErrorEvent error = (StreamEvent.ErrorEvent) past.get(0);
        assertTrue(error.error().message().contains("1000"), error.error().message());
        assertTrue(converter.ended());
        assertEquals(List.of(), converter.onEnd(true), "nothing follows the error event");
    }

    /** Issue 12, tool input streams: a call's input reaches the client as it streams, each fragment in its own delta. */
    @Test
    void toolInputIsForwardedFragmentByFragmentAsItArrives() {
        StreamConverter converter = converter(Profile.GENERIC, SseParser.DEFAULT_MAX_EVENT_BYTES);
        assertEquals(List.of("start 0 tool_use Write", "json 0 {\"path\":"),
                step(converter, call(0, "c1", "Write", "{\"path\":")));
        assertEquals(List.of("json 0 \"/a.txt\",\"content\":\"li"), step(converter, call(0, null, null, "\"/a.txt\",\"content\":\"li")));
        assertEquals(List.of("json 0 ne\"}"), step(converter, call(0, null, null, "ne\"}")));
        assertEquals(List.of("stop 0", "message_delta tool_use", "message_stop"), step(converter, finish("tool_calls")));
    }

    @Test
    void aFragmentThatWouldMakeTheInputInvalidEndsTheStreamWithAnErrorNamingTheTool() {
        StreamConverter converter = converter(Profile.GENERIC, SseParser.DEFAULT_MAX_EVENT_BYTES);
        step(converter, call(0, "c1", "Bash", "{\"command\":\"ls\""));
        List<String> bad = step(converter, call(0, null, null, "}}"));
        assertEquals(1, bad.size(), bad.toString());
        assertTrue(bad.get(0).startsWith("error ") && bad.get(0).contains("Bash"), bad.get(0));
        assertEquals(List.of(), converter.onEnd(true), "nothing follows the error event");
    }

    @Test
    void aCallLeftUnfinishedIsAnErrorUnlessTheAnswerWasCutByItsTokenLimit() {
        StreamConverter unfinished = converter(Profile.GENERIC, SseParser.DEFAULT_MAX_EVENT_BYTES);
        step(unfinished, call(0, "c1", "Write", "{\"content\":\"half"));
        List<String> end = step(unfinished, finish("tool_calls"));
        assertEquals(1, end.size(), end.toString());
        assertTrue(end.get(0).startsWith("error ") && end.get(0).contains("Write"), end.get(0));

        StreamConverter cut = converter(Profile.GENERIC, SseParser.DEFAULT_MAX_EVENT_BYTES);
        step(cut, call(0, "c1", "Write", "{\"content\":\"half"));
        assertEquals(List.of("stop 0", "message_delta max_tokens", "message_stop"), step(cut, finish("length")));
    }

    @Test
    void aCallInterleavedWithTheStreamingOneIsHeldUntilThatOneIsWholeAndNothingIsLost() {
        StreamConverter converter = converter(Profile.GENERIC, SseParser.DEFAULT_MAX_EVENT_BYTES);
        assertEquals(List.of("start 0 tool_use A", "json 0 {\"x\":"), step(converter, call(0, "a", "A", "{\"x\":")));
        assertEquals(List.of(), step(converter, call(1, "b", "B", "{\"y\":")), "B waits for A");
        assertEquals(List.of("json 0 1}", "stop 0", "start 1 tool_use B", "json 1 {\"y\":"),
                step(converter, call(0, null, null, "1}")), "A whole: B streams what it holds");
        assertEquals(List.of("json 1 2}"), step(converter, call(1, null, null, "2}")));
        assertEquals(List.of("stop 1", "message_delta tool_use", "message_stop"), step(converter, finish("tool_calls")));
    }

    @Test
    void wholeCallsAllOnIndexZeroWithoutIdsAreToldApartByTheirNames() {
        StreamConverter converter = converter(Profile.GENERIC, SseParser.DEFAULT_MAX_EVENT_BYTES);
        assertEquals(List.of("start 0 tool_use A", "json 0 {\"x\":1}"), step(converter, call(0, null, "A", "{\"x\":1}")));
        assertEquals(List.of("stop 0", "start 1 tool_use A", "json 1 {\"x\":2}"), step(converter, call(0, null, "A", "{\"x\":2}")));
        assertEquals(List.of("stop 1", "message_delta tool_use", "message_stop"), step(converter, finish("tool_calls")));
    }

    @Test
    void argumentsThatAreNotAnObjectAreHeldAndSentWholeRepaired() {
        StreamConverter converter = converter(Profile.GENERIC, SseParser.DEFAULT_MAX_EVENT_BYTES);
        assertEquals(List.of(), step(converter, call(0, "c1", "Echo", "[1,")));
        assertEquals(List.of(), step(converter, call(0, null, null, "2]")));
        assertEquals(List.of("start 0 tool_use Echo", "json 0 {\"value\":[1,2]}", "stop 0", "message_delta tool_use",
                "message_stop"), step(converter, finish("tool_calls")));
    }

    @Test
    void geminiCallsAreHeldWholeSoTheirThoughtSignatureReachesTheBlockId() {
        StreamConverter converter = converter(Profile.GEMINI, SseParser.DEFAULT_MAX_EVENT_BYTES);
        assertEquals(List.of(), step(converter, call(null, null, "A", "{\"x\":1}")));
        assertEquals(List.of("start 0 tool_use A", "json 0 {\"x\":1}", "stop 0", "message_delta tool_use", "message_stop"),
                step(converter, finish("tool_calls")));
    }

    private static StreamConverter converter(Profile profile, int maxToolArgumentChars) {
        var request = MessagesRequestReader.read("{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        StreamConverter converter = new StreamConverter("c", StopSequences.NONE, RequestConverterTest.target(profile, "m"),
                new UsageEstimate(request, "m"), maxToolArgumentChars);
        converter.start();
        return converter;
    }

    private static String call(Integer index, String id, String name, String arguments) {
        return "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{" + (index == null ? "" : "\"index\":" + index + ",")
                + (id == null ? "" : "\"id\":\"" + id + "\",") + "\"function\":{" + (name == null ? "" : "\"name\":\"" + name + "\",")
                + "\"arguments\":" + Json.write(arguments) + "}}]}}]}";
    }

    private static String finish(String reason) {
        return "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + reason + "\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":5}}";
    }

    /** What one upstream chunk made the converter send (the end's events too, for a chunk with a finish reason), one short line each. */
    private static List<String> step(StreamConverter converter, String chunk) {
        List<StreamEvent> events = new ArrayList<>(converter.onChunk(ChatCompletionReader.read(chunk)));
        if (chunk.contains("finish_reason")) {
            events.addAll(converter.onEnd(true));
        }
        List<String> lines = new ArrayList<>();
        for (StreamEvent event : events) {
            if (event instanceof StreamEvent.ContentBlockStart start) {
                lines.add("start " + start.index() + " " + start.contentBlock().type() + " "
                        + ((ContentBlock.ToolUseBlock) start.contentBlock()).name());
            } else if (event instanceof StreamEvent.ContentBlockDelta delta) {
                lines.add("json " + delta.index() + " " + ((StreamEvent.InputJsonDelta) delta.delta()).partialJson());
            } else if (event instanceof StreamEvent.ContentBlockStop stop) {
                lines.add("stop " + stop.index());
            } else if (event instanceof StreamEvent.MessageDelta delta) {
                lines.add("message_delta " + delta.delta().stopReason());
            } else if (event instanceof StreamEvent.ErrorEvent error) {
                lines.add("error " + error.error().message());
            } else {
                lines.add(event.type());
            }
        }
        return lines;
    }

    private static String convert(List<String> chunks) {
        var request = MessagesRequestReader.read("{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        StreamConverter converter = new StreamConverter("c", StopSequences.NONE, RequestConverterTest.target(Profile.GENERIC, "m"),
                new UsageEstimate(request, "m"), SseParser.DEFAULT_MAX_EVENT_BYTES);
        List<StreamEvent> events = new ArrayList<>(converter.start());
        for (String chunk : chunks) {
            events.addAll(converter.onChunk(ChatCompletionReader.read(chunk)));
        }
        events.addAll(converter.onEnd(true));
        StringBuilder wire = new StringBuilder();
        for (StreamEvent event : events) {
            wire.append("event: ").append(event.type()).append("\ndata: ").append(EventJson.of(event)).append("\n\n");
        }
        return wire.toString();
    }

    /** Consecutive deltas of one block as one line, so chunk boundaries do not matter to the expectation. */
    private static List<String> joinDeltas(List<String> lines) {
        List<String> joined = new ArrayList<>();
        for (String line : lines) {
            String last = joined.isEmpty() ? "" : joined.get(joined.size() - 1);
            String[] parts = line.split(" ", 4);
            String[] lastParts = last.split(" ", 4);
            if (parts[0].equals("delta") && lastParts[0].equals("delta") && parts.length == 4 && lastParts.length == 4
                    && parts[1].equals(lastParts[1]) && parts[2].equals(lastParts[2])) {
                joined.set(joined.size() - 1, last + parts[3]);
            } else {
                joined.add(line);
            }
        }
        return joined;
    }
}
