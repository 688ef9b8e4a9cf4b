package dev.claudeproxy.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.claudeproxy.openai.ChatCompletion;
import jakarta.json.bind.JsonbException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    /** jakarta.json.Json's factories scan the WAR's jars on every call (a third of the CPU per request, measured). */
    @Test
    void gatewayCodeUsesTheProviderLookedUpOnce() throws IOException {
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            List<Path> offenders = sources.filter(path -> path.toString().endsWith(".java"))
                    .filter(path -> read(path).contains("import jakarta.json.Json;")).toList();
            assertEquals(List.of(), offenders, "use dev.claudeproxy.json.Json.JSON_P instead of jakarta.json.Json");
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each of these made Yasson/Parsson spin forever before the check (StreamFuzzTest's finding). */
    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":[1,", "{\"a\":[", "{\"a\":[[1]", "{\"a\":{\"b\":1", "{\"a\":[}]",
        "{\"a\":\"[\"", "{\"choices\":[{\"delta\":{\"x\":[\"\\\"]\"]}}"})
    void truncatedOrUnbalancedJsonIsRefusedPromptly(String text) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                assertThrows(JsonbException.class, () -> Json.read(text, ChatCompletion.class)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"unknown\":[1,{\"x\":\"]}[\"}],\"choices\":[]}", "{\"s\":\"a \\\\\\\" quote\",\"choices\":[]}"})
    void bracketsInsideStringsAndEscapesDoNotCount(String text) {
        assertEquals(0, Json.read(text, ChatCompletion.class).choices().size());
    }
}
