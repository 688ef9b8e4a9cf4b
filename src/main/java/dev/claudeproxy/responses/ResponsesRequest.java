package dev.claudeproxy.responses;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/**
 * A Responses API request body ({@code POST .../responses}), built only from what the gateway
 * understood; null components are not sent. {@code store} is always false: the gateway keeps no
 * conversation at the provider, and never sends {@code previous_response_id}.
 *
 * @param instructions the system prompt
 * @param input the conversation as input items
 * @param toolChoice a string ("auto", "required", "none") or a {@code {type: function, name}} object
 * @param include {@code reasoning.encrypted_content} for a reasoning model: its reasoning comes back
 *     encrypted, to be given back on the next turn with nothing kept at the provider
 * @param text the answer's required form: {@code {format: {type: json_schema, name, schema, strict}}}
 */
@JsonbPropertyOrder({"model", "instructions", "input", "maxOutputTokens", "temperature", "topP", "stream", "tools",
    "toolChoice", "parallelToolCalls", "reasoning", "include", "text", "store", "promptCacheKey", "safetyIdentifier"})
public record ResponsesRequest(
        String model,
        String instructions,
        List<InputItem> input,
        Integer maxOutputTokens,
        Double temperature,
        Double topP,
        Boolean stream,
        List<ToolItem> tools,
        JsonValue toolChoice,
        Boolean parallelToolCalls,
        Reasoning reasoning,
        List<String> include,
        JsonObject text,
        boolean store,
        String promptCacheKey,
        String safetyIdentifier) {
    /** A hash of the model alone, for the reason {@link dev.claudeproxy.openai.ChatRequest#hashCode()} gives. */
    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(model);
    }

    /** One item of {@code input}. */
    public sealed interface InputItem permits ReasoningItem, MessageItem, FunctionCallItem, FunctionCallOutputItem {
    }

    /** Reasoning the model did on an earlier turn, given back as it encrypted it (no id: nothing is stored). */
    @JsonbPropertyOrder({"type", "summary", "encryptedContent"})
    public record ReasoningItem(String type, List<JsonObject> summary, String encryptedContent) implements InputItem {
        public ReasoningItem(String encryptedContent) {
            this("reasoning", List.of(), encryptedContent);
        }
    }

    /**
     * A message: {@code input_text}, {@code input_image} and {@code input_file} parts from the user,
     * {@code output_text} parts from the assistant.
     */
    @JsonbPropertyOrder({"type", "role", "content"})
    public record MessageItem(String type, String role, List<JsonObject> content) implements InputItem {
        /** A hash of the role alone, for the reason {@link dev.claudeproxy.openai.ChatRequest#hashCode()} gives. */
        @Override
        public int hashCode() {
            return java.util.Objects.hashCode(role);
        }

        public MessageItem(String role, List<JsonObject> content) {
            this("message", role, content);
        }
    }

    /** A call the assistant made, answered by the {@link FunctionCallOutputItem} with the same {@code call_id}. */
    @JsonbPropertyOrder({"type", "callId", "name", "arguments"})
    public record FunctionCallItem(String type, String callId, String name, String arguments) implements InputItem {
        public FunctionCallItem(String callId, String name, String arguments) {
            this("function_call", callId, name, arguments);
        }
    }

    @JsonbPropertyOrder({"type", "callId", "output"})
    public record FunctionCallOutputItem(String type, String callId, String output) implements InputItem {
        public FunctionCallOutputItem(String callId, String output) {
            this("function_call_output", callId, output);
        }
    }

    /** One of {@code tools}. */
    public sealed interface ToolItem permits FunctionTool, WebSearchTool {
    }

    /**
     * A function the model may call. {@code strict} is always sent: the Responses API takes an
     * absent one as true, and holds the schema to its strict subset.
     */
    @JsonbPropertyOrder({"type", "name", "description", "parameters", "strict"})
    public record FunctionTool(String type, String name, String description, JsonObject parameters, boolean strict)
            implements ToolItem {
        /** A hash of the name alone, for the reason {@link dev.claudeproxy.openai.ChatRequest#hashCode()} gives. */
        @Override
        public int hashCode() {
            return java.util.Objects.hashCode(name);
        }

        public FunctionTool(String name, String description, JsonObject parameters, boolean strict) {
            this("function", name, description, parameters, strict);
        }
    }

    /** OpenAI's hosted web search; {@code filters} ({@code {allowed_domains: [...]}}) null for any domain. */
    public record WebSearchTool(String type, JsonObject filters) implements ToolItem {
        public WebSearchTool(JsonObject filters) {
            this("web_search", filters);
        }
    }

    /** @param summary "auto": the reasoning's summary streams back, as the client's thinking */
    public record Reasoning(String effort, String summary) {
    }
}
