package dev.claudeproxy.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.claudeproxy.anthropic.InvalidMessagesRequestException;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.provider.Target;
import dev.claudeproxy.provider.ThinkingSigner;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Anthropic request → Chat Completions request, as a table: request fragment in, upstream JSON out. */
class RequestConverterTest {

    private static final String BASE = "\"model\":\"claude-x\",\"max_tokens\":1024,";

    static Stream<Arguments> conversions() {
        return Stream.of(
                Arguments.of("system string becomes the first message",
                        "{" + BASE + "\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                                + "{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1024}"),
                Arguments.of("system blocks join, billing header and cache_control dropped",
                        "{" + BASE + "\"system\":[{\"type\":\"text\",\"text\":\"x-anthropic-billing-header: cc_version=2.1; cch=ab12c;\"},"
                                + "{\"type\":\"text\",\"text\":\"A\",\"cache_control\":{\"type\":\"ephemeral\"}},{\"type\":\"text\",\"text\":\"B\"}],"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"system\",\"content\":\"A\\n\\nB\"},"
                                + "{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1024}"),
                Arguments.of("role system message joins the system prompt and its neighbours merge",
                        "{" + BASE + "\"system\":\"S\",\"messages\":[{\"role\":\"user\",\"content\":\"one\"},"
                                + "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"Env\",\"cache_control\":{\"type\":\"ephemeral\"}}]},"
                                + "{\"role\":\"user\",\"content\":\"two\"}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"system\",\"content\":\"S\\n\\nEnv\"},"
                                + "{\"role\":\"user\",\"content\":\"one\\n\\ntwo\"}],\"max_tokens\":1024}"),
                Arguments.of("assistant text and tool_use become content and tool_calls",
                        "{" + BASE + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},{\"role\":\"assistant\",\"content\":["
                                + "{\"type\":\"thinking\",\"thinking\":\"hmm\",\"signature\":\"s\"},{\"type\":\"text\",\"text\":\"Checking.\"},"
                                + "{\"type\":\"tool_use\",\"id\":\"toolu_01A\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]},"
                                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01A\","
                                + "\"content\":[{\"type\":\"text\",\"text\":\"18C\"}]},{\"type\":\"text\",\"text\":\"And tomorrow?\"}]}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},"
                                + "{\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":[{\"id\":\"toolu_01A\",\"type\":\"function\","
                                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                                + "{\"role\":\"tool\",\"content\":\"18C\",\"tool_call_id\":\"toolu_01A\"},"
                                + "{\"role\":\"user\",\"content\":\"And tomorrow?\"}],\"max_tokens\":1024}"),
                Arguments.of("tool-only assistant turn has null content; results keep their order; is_error is visible",
                        "{" + BASE + "\"messages\":[{\"role\":\"assistant\",\"content\":["
                                + "{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"T\",\"input\":{}},{\"type\":\"tool_use\",\"id\":\"b\",\"name\":\"T\",\"input\":{}}]},"
                                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"b\",\"content\":\"rb\"},"
                                + "{\"type\":\"tool_result\",\"tool_use_id\":\"a\",\"content\":\"ra\",\"is_error\":true}]}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                                + "{\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"T\",\"arguments\":\"{}\"}},"
                                + "{\"id\":\"b\",\"type\":\"function\",\"function\":{\"name\":\"T\",\"arguments\":\"{}\"}}]},"
                                + "{\"role\":\"tool\",\"content\":\"rb\",\"tool_call_id\":\"b\"},"
                                + "{\"role\":\"tool\",\"content\":\"Error: ra\",\"tool_call_id\":\"a\"}],\"max_tokens\":1024}"),
                Arguments.of("images become image_url parts, base64 as a data URL",
                        "{" + BASE + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is this?\"},"
                                + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBOR\"}},"
                                + "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/a.png\"}}]}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is this?\"},"
                                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBOR\"}},"
                                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}]}],\"max_tokens\":1024}"),
                Arguments.of("images in a tool result follow in a user message",
                        "{" + BASE + "\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\","
                                + "\"name\":\"Read\",\"input\":{}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\","
                                + "\"content\":[{\"type\":\"text\",\"text\":\"shot\"},{\"type\":\"image\",\"source\":{\"type\":\"base64\","
                                + "\"media_type\":\"image/png\",\"data\":\"AAA\"}}]}]}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"t1\","
                                + "\"type\":\"function\",\"function\":{\"name\":\"Read\",\"arguments\":\"{}\"}}]},"
                                + "{\"role\":\"tool\",\"content\":\"shot\",\"tool_call_id\":\"t1\"},"
                                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Attachments returned by tool call t1:\"},"
                                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAA\"}}]}],\"max_tokens\":1024}"),
                Arguments.of("tools, tool_choice any, parallel off; server tools and extra fields dropped",
                        "{" + BASE + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"name\":\"get_weather\","
                                + "\"description\":\"d\",\"input_schema\":{\"type\":\"object\",\"properties\":{}},\"cache_control\":{\"type\":\"ephemeral\"},"
                                + "\"eager_input_streaming\":true},{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}],"
                                + "\"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":true},"
                                + "\"temperature\":0.2,\"top_p\":0.9,\"top_k\":5,\"stop_sequences\":[\"END\"],"
                                + "\"metadata\":{\"user_id\":\"device-123\"},\"thinking\":{\"type\":\"adaptive\"},"
                                + "\"output_config\":{\"effort\":\"medium\"},\"context_management\":{\"edits\":[]}}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":1024,"
                                + "\"temperature\":0.2,\"top_p\":0.9,\"stop\":[\"END\"],\"tools\":[{\"type\":\"function\",\"function\":"
                                + "{\"name\":\"get_weather\",\"description\":\"d\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}}],"
                                + "\"tool_choice\":\"required\",\"parallel_tool_calls\":false}"),
                Arguments.of("tool_choice tool names the function; none stays none",
                        "{" + BASE + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"name\":\"A\",\"input_schema\":"
                                + "{\"type\":\"object\"}}],\"tool_choice\":{\"type\":\"tool\",\"name\":\"A\"}}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":1024,\"tools\":[{\"type\":"
                                + "\"function\",\"function\":{\"name\":\"A\",\"parameters\":{\"type\":\"object\"}}}],"
                                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"A\"}}}"),
                Arguments.of("empty text blocks and plain-text documents",
                        "{" + BASE + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\"},{\"type\":\"document\","
                                + "\"title\":\"Notes\",\"source\":{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"line\"}}]}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":\"Notes\\n\\nline\"}],\"max_tokens\":1024}"),
                Arguments.of("a tool call the user interrupted gets a stand-in result before the next user text",
                        "{" + BASE + "\"messages\":[{\"role\":\"assistant\",\"content\":["
                                + "{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"T\",\"input\":{}},{\"type\":\"tool_use\",\"id\":\"b\",\"name\":\"T\",\"input\":{}}]},"
                                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"a\",\"content\":\"ra\"},"
                                + "{\"type\":\"text\",\"text\":\"stop that\"}]}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                                + "{\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"T\",\"arguments\":\"{}\"}},"
                                + "{\"id\":\"b\",\"type\":\"function\",\"function\":{\"name\":\"T\",\"arguments\":\"{}\"}}]},"
                                + "{\"role\":\"tool\",\"content\":\"ra\",\"tool_call_id\":\"a\"},"
                                + "{\"role\":\"tool\",\"content\":\"[no result: the tool call was interrupted]\",\"tool_call_id\":\"b\"},"
                                + "{\"role\":\"user\",\"content\":\"stop that\"}],\"max_tokens\":1024}"),
                Arguments.of("a tool result without its call becomes user text",
                        "{" + BASE + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"ok\"},"
                                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"gone\",\"content\":\"r\"},"
                                + "{\"type\":\"text\",\"text\":\"go on\"}]}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"ok\"},"
                                + "{\"role\":\"user\",\"content\":\"Result of tool call gone:\\nr\\n\\ngo on\"}],\"max_tokens\":1024}"),
                Arguments.of("a trailing tool call without result is answered too",
                        "{" + BASE + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":["
                                + "{\"type\":\"tool_use\",\"id\":\"z\",\"name\":\"T\",\"input\":{\"k\":1}}]}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":null,"
                                + "\"tool_calls\":[{\"id\":\"z\",\"type\":\"function\",\"function\":{\"name\":\"T\",\"arguments\":\"{\\\"k\\\":1}\"}}]},"
                                + "{\"role\":\"tool\",\"content\":\"[no result: the tool call was interrupted]\",\"tool_call_id\":\"z\"}],\"max_tokens\":1024}"),
                Arguments.of("stream asks for usage; max_tokens is capped",
                        "{\"model\":\"c\",\"max_tokens\":128000,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                        "{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":4096,"
                                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversions")
    void convertsAsTheTableSays(String rule, String anthropic, String openai) {
        var request = MessagesRequestReader.read(anthropic.getBytes(StandardCharsets.UTF_8));
        String converted = Json.write(RequestConverter.toChatRequest(request, target(Profile.GENERIC, "up"), Attribution.NONE));
        assertEquals(json(openai), json(converted));
    }

    @Test
    void pdfDocumentIsAFilePartWhereTheUpstreamTakesFiles() {
        var request = MessagesRequestReader.read(("{" + BASE + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\","
                + "\"title\":\"spec.pdf\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBER\"}},"
                + "{\"type\":\"text\",\"text\":\"Summarise\"}]}]}").getBytes(StandardCharsets.UTF_8));
        JsonObject sent = json(Json.write(RequestConverter.toChatRequest(request, target(Profile.OPENAI, "gpt-4.1"), Attribution.NONE)));
        assertEquals(json("{\"type\":\"file\",\"file\":{\"filename\":\"spec.pdf\",\"file_data\":\"data:application/pdf;base64,JVBER\"}}"),
                sent.getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(0));
    }

    @Test
    void pdfDocumentIsRefusedNamingTheBlock() {
        var request = MessagesRequestReader.read(("{" + BASE + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\","
                + "\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBER\"}}]}]}")
                .getBytes(StandardCharsets.UTF_8));
        var failure = assertThrows(InvalidMessagesRequestException.class,
                () -> RequestConverter.toChatRequest(request, target(Profile.GENERIC, "up"), Attribution.NONE));
        assertTrue(failure.getMessage().startsWith("messages.0.content.0"));
    }

    static final ThinkingSigner SIGNATURES = new ThinkingSigner("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8));

    static Target target(Profile profile, String model) {
        return new Target(model, "upstream.example:443", profile, 4096, SIGNATURES, true);
    }

    private static JsonObject json(String text) {
        try (JsonReader reader = jakarta.json.Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }
}
