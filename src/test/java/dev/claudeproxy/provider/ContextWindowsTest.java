package dev.claudeproxy.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which context window the gateway gives a model: configured, else documented for a provider's own API, else unknown. */
class ContextWindowsTest {

    private static final Map<String, Integer> CONFIGURED = Map.of(
            "gpu-box:8000/qwen3-coder", 65_536, "gpu-box/qwen3-coder", 32_768, "llm.corp", 200_000,
            "api.deepseek.com/deepseek-chat", 131_072);

    private static final Map<String, Profile> PROFILE_BY_HOST = Map.of("relay.corp", Profile.DEEPSEEK);

    @ParameterizedTest(name = "{0}:{1} {2} -> {3}")
    @CsvSource({
        // Documented, for the provider's own API (chosen by host, or named for the host by PROFILE_BY_HOST).
        "api.deepseek.com, -1, deepseek-v4-pro, 1000000",
        "api.deepseek.com, -1, deepseek-reasoner, 1000000",
        "relay.corp, 443, deepseek-chat, 1000000",
        "api.openai.com, -1, gpt-4.1-mini, 1047576",
        "api.openai.com, -1, gpt-5-mini, 272000",
        "api.openai.com, -1, gpt-5-chat-latest, 128000",
        "api.openai.com, -1, gpt-4o, 128000",
        "myres.openai.azure.com, -1, gpt-4o-mini, 128000",
        "generativelanguage.googleapis.com, -1, gemini-2.5-flash, 1048576",
        "generativelanguage.googleapis.com, -1, models/gemini-3-pro-preview, 1048576",
        "api.groq.com, -1, llama-3.3-70b-versatile, 131072",
        "api.groq.com, -1, moonshotai/kimi-k2-instruct-0905, 262144",
        "api.mistral.ai, -1, codestral-latest, 256000",
        "api.mistral.ai, -1, Mistral-Large-Latest, 128000",
        // Configured: host:port/model, then host/model, then host:port, then host; it wins over the documented.
        "gpu-box, 8000, qwen3-coder, 65536",
        "gpu-box, 9000, qwen3-coder, 32768",
        "GPU-BOX, 9000, Qwen3-Coder, 32768",
        "llm.corp, 443, anything, 200000",
        "api.deepseek.com, -1, deepseek-chat, 131072",
        // Unknown: a model the provider's table lacks; a family guessed from the model id at a host
        // that serves what its deployment chooses; a local server.
        "api.openai.com, -1, gpt-3.5-turbo, -1",
        "openrouter.ai, -1, deepseek/deepseek-chat, -1",
        "vllm.local, 8000, deepseek-ai/DeepSeek-V3, -1",
        "localhost, 11434, qwen3:8b, -1",
        "gpu-box, 8000, other-model, -1"})
    void windowIsConfiguredElseDocumentedElseUnknown(String host, int port, String model, int expected) {
        OptionalInt window = ContextWindows.of(host, port, model, CONFIGURED, PROFILE_BY_HOST);
        assertEquals(expected < 0 ? OptionalInt.empty() : OptionalInt.of(expected), window);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "This model's maximum context length is 131072 tokens. However, you requested 140000 tokens|131072",
        "This model's maximum context length is 32768 tokens. However, your request has 40012 input tokens|32768",
        "Prompt contains 140000 tokens and 0 draft tokens, too large for model with 131072 maximum context length|131072",
        "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).|1048576",
        "{\"error\":{\"code\":400,\"message\":\"the request exceeds the available context size\",\"n_prompt_tokens\":5000,\"n_ctx\":4096}}|4096",
        "Please reduce the length of the messages or completion.|-1",
        "prompt is too long: 210000 tokens > 200000 maximum|-1"})
    void theLimitARefusalNamesIsRead(String refusal, int expected) {
        assertEquals(expected < 0 ? OptionalInt.empty() : OptionalInt.of(expected), ContextWindows.namedIn(refusal));
    }
}
