package dev.claudeproxy.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.claudeproxy.openai.ChatCompletion;
import jakarta.json.bind.JsonbException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    /** Each of these made Yasson/Parsson spin forever before the check (StreamFuzzTest's finding). */
    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":[1,", "{\"a\":[", "{\"a\":[[1]", "{\"a\":{\"b\":1", "{\"a\":[}]",
        "{\"a\":\"[\"", "{\"choices\":[{\"delta\":{\"x\":[\"\\\"]\"]}}"})
    void truncatedOrUnbalancedJsonIsRefusedPromptly(String text) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                assertThrows(JsonbException.class, () -> BindingOracle.read(text, ChatCompletion.class)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"unknown\":[1,{\"x\":\"]}[\"}],\"choices\":[]}", "{\"s\":\"a \\\\\\\" quote\",\"choices\":[]}"})
    void bracketsInsideStringsAndEscapesDoNotCount(String text) {
        assertEquals(0, BindingOracle.read(text, ChatCompletion.class).choices().size());
    }
}
