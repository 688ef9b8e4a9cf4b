package dev.claudeproxy.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.json.BindingOracle;
import dev.claudeproxy.json.Json;
import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming reader gives what JSON-B's binding gave, the gateway's reader of chat completions
 * before it: the same record, or both refuse.
 */
class ChatCompletionReaderTest {

    /** Outcome of one reader: the record, or that it refused the text. */
    private record Outcome(Object read) {
        static final Object REFUSED = "refused";
    }

    static Outcome bound(String text) {
        try {
            return new Outcome(BindingOracle.read(text, ChatCompletion.class));
        } catch (JsonbException e) {
            return new Outcome(Outcome.REFUSED);
        }
    }

    static Outcome streamed(String text) {
        try {
            return new Outcome(ChatCompletionReader.read(text));
        } catch (JsonException e) {
            return new Outcome(Outcome.REFUSED);
        }
    }

    /** Every chunk of every recorded-shape stream, and the stream fuzzer's seeds. */
    static Stream<String> recordedChunks() throws IOException {
        Stream<Path> files = Stream.concat(Files.list(Path.of("src/test/resources/streams")),
                Files.list(Path.of("src/test/resources/dev/claudeproxy/fuzz/StreamFuzzTestInputs/anyUpstreamStreamBecomesAWellFormedEventSequence")));
        return files.filter(Files::isRegularFile).sorted().flatMap(file -> {
            try {
                return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).filter(line -> line.startsWith("data:")).map(line -> line.substring(5).strip())
                .filter(data -> !data.equals("[DONE]"));
    }

    @ParameterizedTest
    @MethodSource("recordedChunks")
    void everyRecordedChunkReadsAsBindingReadIt(String chunk) {
        ReadersAgree.check(chunk);
    }

    /** The recorded-shape streams (not the fuzzer's findings) are read whole, chunk by chunk. */
    /** An upstream's count whose exponent passes int's range is no chat completion, not a NumberFormatException. */
    @ParameterizedTest
    @ValueSource(strings = {"1e99999999999", "9E-99999999999"})
    void aCountWithAnExponentPastRangeIsNoChatCompletion(String count) {
        assertThrows(JsonException.class, () -> ChatCompletionReader.read("{\"choices\":[],\"usage\":{\"prompt_tokens\":"
                + count + ",\"completion_tokens\":1}}"));
    }

    @Test
    void everyRecordedShapeChunkIsRead() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(Path.of("src/test/resources/streams"))) {
            files = listed.toList();
        }
        int chunks = 0;
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("data: {")) {
                    chunks++;
                    assertEquals(bound(line.substring(6)), streamed(line.substring(6)), line);
                    assertFalse(streamed(line.substring(6)).read() == Outcome.REFUSED, line);
                }
            }
        }
        assertTrue(chunks >= 50, "chunks read: " + chunks);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // nulls, missing and unknown fields at every level
        "{}", "null", "{\"choices\":null,\"usage\":null,\"error\":null,\"id\":null}",
        "{\"choices\":[null]}", "{\"choices\":[{\"delta\":null,\"message\":null}]}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[null,{\"function\":null,\"extra_content\":null}]}}]}",
        "{\"x\":{\"y\":[1,{\"z\":[]}],\"w\":\"]}\"},\"choices\":[],\"logprobs\":{\"content\":[{\"a\":1}]}}",
        "{\"choices\":[{\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"}],\"extra\":[[[]]]}}]}",
        "{\"error\":{\"message\":\"x\",\"code\":429},\"choices\":[]}", "{\"error\":\"plain text\"}",
        "{\"choices\":[{\"stop_reason\":128001,\"matched_stop\":\"END\",\"finish_reason\":\"stop\"}]}",
        "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":4,\"audio_tokens\":0},\"prompt_cache_hit_tokens\":4}}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"c\",\"type\":\"function\","
            + "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":\\\"\\u00e9\\\\n\\\"}\"},"
            + "\"extra_content\":{\"google\":{\"thought_signature\":\"sig\"}}}]}}]}",
        // the same key twice
        "{\"id\":\"a\",\"id\":\"b\"}",
        // fields of the wrong kind
        "{\"id\":5}", "{\"id\":true}", "{\"id\":{}}", "{\"choices\":{}}", "{\"choices\":\"x\"}", "{\"choices\":[1]}",
        "{\"choices\":[{\"index\":\"0\"}]}", "{\"choices\":[{\"index\":1.5}]}", "{\"choices\":[{\"index\":1.0}]}",
        "{\"choices\":[{\"index\":1e2}]}", "{\"choices\":[{\"index\":-1}]}", "{\"choices\":[{\"index\":\"x\"}]}",
        "{\"choices\":[{\"index\":2147483647}]}", "{\"choices\":[{\"index\":-2147483648}]}",
        "{\"choices\":[{\"index\":true}]}", "{\"choices\":[{\"finish_reason\":1}]}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"extra_content\":[1]}]}}]}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"extra_content\":\"x\"}]}}]}",
        "{\"choices\":[{\"delta\":{\"tool_calls\":{}}}]}", "{\"choices\":[{\"delta\":\"x\"}]}",
        "{\"usage\":{\"prompt_tokens\":\"10\"}}", "{\"usage\":[]}",
        // not an object, or more than one
        "[]", "\"x\"", "5", "true", "", " ", "{\"a\":1,}", "{\"a\"}", "{'a':1}", " {} ",
    })
    void editCasesReadAsBindingReadThem(String text) {
        assertEquals(bound(text), streamed(text), text);
    }

    /**
     * Where the two part, on purpose: binding read the first object of an array or of a text with
     * more after it, and wrapped a count past {@code int}'s range around to a wrong one. None of
     * these is a chat completion; refused, the chunk is skipped and logged.
     */
    @ParameterizedTest
    @ValueSource(strings = {"[{}]", "{} {}", "{}x", "{\"choices\":[{\"index\":99999999999}]}",
        "{\"usage\":{\"prompt_tokens\":2147483648}}", "{\"usage\":{\"prompt_tokens\":\"-1e10\"}}"})
    void textBindingMisreadIsRefused(String text) {
        assertThrows(JsonException.class, () -> ChatCompletionReader.read(text));
    }

    /** Parsson's skip of an unknown value spun forever at the end of input; refused at once instead. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":[1,", "{\"a\":[", "{\"a\":{\"b\":1", "{\"a\":[}]", "{\"choices\":[{\"delta\":{\"x\":[\"\\\"]\"]}}"})
    void truncatedTextIsRefusedPromptly(String text) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                assertThrows(JsonException.class, () -> ChatCompletionReader.read(text)));
    }

    @Test
    void nestingIsBoundAsBindingBoundIt() {
        String deepest = "{\"x\":" + "[".repeat(Json.MAX_NESTING - 1) + "]".repeat(Json.MAX_NESTING - 1) + "}";
        assertEquals(bound(deepest), streamed(deepest));
        assertEquals(new ChatCompletion(null, null, null, null, null), ChatCompletionReader.read(deepest));
        String deeper = "{\"x\":" + "[".repeat(Json.MAX_NESTING) + "]".repeat(Json.MAX_NESTING) + "}";
        assertThrows(JsonException.class, () -> ChatCompletionReader.read(deeper));
        assertEquals(bound(deeper), streamed(deeper));
        String far = "{\"x\":" + "[".repeat(5000);
        assertThrows(JsonException.class, () -> ChatCompletionReader.read(far));
    }
}
