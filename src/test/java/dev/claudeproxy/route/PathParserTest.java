package dev.claudeproxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Request path → endpoint, upstream URL and model. */
class PathParserTest {

    static Stream<Arguments> paths() {
        return Stream.of(
                Arguments.of("/api.groq.com/openai/v1/llama-3.3-70b-versatile/v1/messages", "MESSAGES",
                        "https://api.groq.com/openai/v1/chat/completions", "llama-3.3-70b-versatile"),
                Arguments.of("/https/generativelanguage.googleapis.com/v1beta/openai/gemini-2.5-flash/v1/messages", "MESSAGES",
                        "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions", "gemini-2.5-flash"),
                Arguments.of("/http/localhost:11434/v1/qwen3:8b/v1/messages", "MESSAGES",
                        "http://localhost:11434/v1/chat/completions", "qwen3:8b"),
                Arguments.of("/openrouter.ai/api/v1/~/meta-llama/llama-3.3-70b-instruct/v1/messages/count_tokens", "COUNT_TOKENS",
                        "https://openrouter.ai/api/v1/chat/completions", "meta-llama/llama-3.3-70b-instruct"),
                Arguments.of("/http/[::1]:8000/v1/m/v1/models", "MODELS", "http://[::1]:8000/v1/chat/completions", "m"),
                Arguments.of("/api.deepseek.com/deepseek-chat/v1/messages", "MESSAGES",
                        "https://api.deepseek.com/chat/completions", "deepseek-chat"),
                Arguments.of("/http/127.0.0.1:18001/v1/route-model/api/hello", "HELLO",
                        "http://127.0.0.1:18001/v1/chat/completions", "route-model"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void parsesRoute(String path, String endpoint, String upstream, String model) {
        ParsedPath parsed = PathParser.parse(path);
        assertEquals(endpoint, parsed.endpoint().name());
        assertEquals(upstream, parsed.route().orElseThrow().endpoint().toString());
        assertEquals(model, parsed.route().orElseThrow().model());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/", "/v1/chat/completions", "/api.groq.com/m/v1/messages/x", "/http/v1/messages",
        "/https/v1/messages", "/bad_host!/m/v1/messages", "/h:0/m/v1/messages", "/h:70000/m/v1/messages",
        "/api.groq.com/v1/messages", "/h/p/~/v1/messages", "/~/m/v1/messages"})
    void unparsablePathIsNotFoundShowingTheForm(String path) {
        RouteNotFoundException failure = assertThrows(RouteNotFoundException.class, () -> PathParser.parse(path));
        assertTrue(failure.getMessage().contains(PathParser.FORM), failure.getMessage());
    }

    /** Issue 29: a request with no upstream in its path, and no server route, is told the path form once. */
    /** A session's path is read once: its next requests get the route read then, and a bad path is refused every time. */
    @Test
    void aPathReadOnceGivesItsRouteAgain() {
        String path = "/http/127.0.0.1:9/openai/v1/gpt-4.1/v1/messages";
        PathRoute first = PathParser.parse(path).route().orElseThrow();
        org.junit.jupiter.api.Assertions.assertSame(first, PathParser.parse(path).route().orElseThrow());
        assertEquals(PathParser.parse("/http/127.0.0.1:9/openai/v1/gpt-4.1/v1/messages/count_tokens").route().orElseThrow(), first);
        assertEquals("http://127.0.0.1:9/openai/v1/chat/completions", first.endpoint().toString());
        for (int i = 0; i < 2; i++) {
            assertThrows(RouteNotFoundException.class, () -> PathParser.parse("/127.1/v1/gpt-4.1/v1/messages"));
        }
        String longPath = "/http/127.0.0.1:9/openai/v1/" + "m".repeat(PathParser.MAX_KNOWN_CHARS) + "/v1/messages";
        PathRoute read = PathParser.parse(longPath).route().orElseThrow();
        org.junit.jupiter.api.Assertions.assertNotSame(read, PathParser.parse(longPath).route().orElseThrow(),
                "a path longer than the bound is read each time, not kept");
        assertEquals(read, PathParser.parse(longPath).route().orElseThrow());
    }

    @Test
    void noRouteStatesThePathFormOnce() {
        dev.claudeproxy.config.Settings settings = dev.claudeproxy.config.Settings.load(name -> java.util.Optional.empty());
        RouteNotFoundException failure = assertThrows(RouteNotFoundException.class,
                () -> Routes.resolve(java.util.Optional.empty(), "claude-sonnet-4-5", settings, java.util.Optional.empty()));
        String message = failure.getMessage();
        assertEquals(message.indexOf(PathParser.FORM), message.lastIndexOf(PathParser.FORM), message);
        assertTrue(message.contains(PathParser.FORM) && message.contains("no server route"), message);
    }
}
