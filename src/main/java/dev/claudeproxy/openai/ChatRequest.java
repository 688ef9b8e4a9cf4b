package dev.claudeproxy.openai;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/**
 * A Chat Completions request body, built only from what the gateway understood; null
 * components are not sent.
 *
 * @param toolChoice a string ("auto", "required", "none") or a {@code {type:function}} object
 */
@JsonbPropertyOrder({"model", "messages", "maxTokens", "temperature", "topP", "stop", "stream", "streamOptions",
    "tools", "toolChoice", "parallelToolCalls"})
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        Integer maxTokens,
        Double temperature,
        Double topP,
        List<String> stop,
        Boolean stream,
        StreamOptions streamOptions,
        List<ChatTool> tools,
        JsonValue toolChoice,
        Boolean parallelToolCalls) {

    /** The same request with another {@code max_tokens}. */
    public ChatRequest withMaxTokens(int value) {
        return new ChatRequest(model, messages, value, temperature, topP, stop, stream, streamOptions, tools,
                toolChoice, parallelToolCalls);
    }

    public record StreamOptions(boolean includeUsage) {
    }

    public record ChatTool(String type, FunctionDefinition function) {
        public ChatTool(FunctionDefinition function) {
            this("function", function);
        }
    }

    public record FunctionDefinition(String name, String description, JsonObject parameters) {
    }
}
