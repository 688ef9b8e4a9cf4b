package dev.claudeproxy.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Tables for the small mappings: finish reasons, tool arguments, max_tokens limits in upstream errors. */
class SmallConvertersTest {

    @ParameterizedTest(name = "{0} tools={1} -> {2}")
    @CsvSource(nullValues = "null", value = {
        "stop, false, end_turn", "stop, true, tool_use", "tool_calls, true, tool_use", "length, false, max_tokens",
        "length, true, max_tokens", "content_filter, false, refusal", "SAFETY, false, refusal", "MAX_TOKENS, false, max_tokens",
        "STOP, true, tool_use", "null, false, end_turn", "function_call, true, tool_use", "eos, false, end_turn"})
    void finishReasonMapsToStopReason(String finishReason, boolean hasToolCalls, String stopReason) {
        assertEquals(stopReason, StopReasons.of(finishReason, hasToolCalls).wireName());
    }

    @ParameterizedTest(name = "[{index}] -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''|{}", "'  '|{}", "{\"a\":1}|{\"a\":1}", "[1,2]|{\"value\":[1,2]}", "'```json\n{\"a\":1}\n```'|{\"a\":1}",
        "{\"a\": \"tru|{\"_raw\":\"{\\\"a\\\": \\\"tru\"}",
        // A number whose exponent passes int's range is JSON no Java reader takes: kept raw, never a crash.
        "{\"a\":1e99999999999}|{\"_raw\":\"{\\\"a\\\":1e99999999999}\"}"})
    void toolArgumentsBecomeAJsonObject(String arguments, String input) {
        assertEquals(input, ToolArguments.parse(arguments).toString());
    }

    static Stream<Arguments> limits() {
        return Stream.of(
                Arguments.of("max_tokens is too large: 32768. This model supports at most 16384 completion tokens, "
                        + "whereas you provided 32768.", 32768, OptionalInt.of(16384)),
                Arguments.of("`max_tokens` must be less than or equal to `8192`, the maximum value for `max_tokens` is less "
                        + "than the `context_window` for this model", 32768, OptionalInt.of(8192)),
                Arguments.of("Invalid max_tokens value, the valid range of max_tokens is [1, 8192]", 32768, OptionalInt.of(8192)),
                Arguments.of("'max_tokens' or 'max_completion_tokens' is too large: 32768. This model's maximum context length "
                        + "is 32768 tokens and your request has 1200 input tokens (32768 > 32768 - 1200).", 32768,
                        OptionalInt.of(31568)),
                Arguments.of("Invalid API key", 32768, OptionalInt.empty()),
                Arguments.of("max_tokens must be positive", 32768, OptionalInt.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("limits")
    void maxTokensLimitIsReadFromUpstreamErrors(String message, int sent, OptionalInt limit) {
        assertEquals(limit, MaxTokensLimit.fromError(message, sent));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"EjQKMgEMOdbH", "Fk9LpQ2", "ab+/cd==", "ab+/cde=", "A"})
    void thoughtSignatureSurvivesTheTripThroughAToolUseId(String signature) {
        String id = GeminiThoughtSignatures.toolUseId(java.util.Optional.of(signature));
        assertTrue(id.matches("[A-Za-z0-9_-]+"), id);
        assertEquals(java.util.Optional.of(signature), GeminiThoughtSignatures.carried(id));
        assertEquals(GeminiThoughtSignatures.bareId(id), id.substring(0, "toolu_".length() + 24));
    }

    /**
     * Text cut at the first stop sequence the upstream was not given, whatever the chunks: pieces
     * joined by '|', the sequences by ','; what was sent, then the sequence matched ('-' for none).
     */
    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource(delimiter = ';', value = {
        "<severity>5</severity> more; </severity>; <severity>5; </severity>",
        "<severity>5</sev|erity> more; </severity>; <severity>5; </severity>",
        "<block>n|o<|/|block>; </block>; <block>no; </block>",
        "a </se|cond; </severity>; a </second; -",
        "ENDING; END,ING; ; END",
        "x STOP y END; END,STOP; 'x '; STOP",
        "no stop at all; END; no stop at all; -"})
    void textIsCutAtTheFirstStopSequenceWhateverTheChunks(String pieces, String sequences, String sent, String matched) {
        StopSequences.Cutter cutter = new StopSequences(java.util.List.of(), java.util.List.of(sequences.split(",")))
                .cutter().orElseThrow();
        StringBuilder out = new StringBuilder();
        for (String piece : pieces.split("\\|")) {
            out.append(cutter.feed(piece));
        }
        if (cutter.matched().isEmpty()) {
            out.append(cutter.finish());
        }
        assertEquals(sent == null ? "" : sent, out.toString());
        assertEquals(matched, cutter.matched().orElse("-"));
    }

    /** Claude Code's auto-mode safety checks by their shape, and requests that only look like them. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "\"stop_sequences\":[\"</severity>\"],\"thinking\":{\"type\":\"disabled\"}|true",
        "\"stop_sequences\":[\"</block>\"],\"thinking\":{\"type\":\"disabled\"}|true",
        "\"system\":[{\"type\":\"text\",\"text\":\"x-anthropic-billing-header: cc_version=2;\"},{\"type\":\"text\","
            + "\"text\":\"You are a security monitor for autonomous AI coding agents.\"}],\"thinking\":{\"type\":\"disabled\"}|true",
        "\"stop_sequences\":[\"</block>\"]|true",
        "\"stop_sequences\":[\"</severity>\"],\"thinking\":{\"type\":\"adaptive\"}|false",
        "\"stop_sequences\":[\"</severity>\"],\"thinking\":{\"type\":\"disabled\"},\"stream\":true|false",
        "\"stop_sequences\":[\"</severity>\"],\"thinking\":{\"type\":\"disabled\"},\"tools\":[{\"name\":\"Bash\"}]|false",
        "\"stop_sequences\":[\"</severity>\",\"END\"],\"thinking\":{\"type\":\"disabled\"}|false",
        "\"system\":\"You are a helpful assistant.\",\"thinking\":{\"type\":\"disabled\"}|false"})
    void autoModeChecksAreRecognisedByTheirShape(String fields, boolean check) {
        var request = dev.claudeproxy.anthropic.MessagesRequestReader.read(("{\"model\":\"claude-sonnet-5\",\"max_tokens\":64,"
                + fields + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(check, AutoModeChecks.isOne(request));
    }
}
