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
 * @param responseFormat the answer's required form: {@code {type: json_schema, json_schema: {...}}}
 * @param promptCacheKey groups requests that share a prefix onto warm prompt caches (OpenAI, Azure)
 * @param safetyIdentifier a stable, hashed id of the end user (OpenAI, Azure)
 */
@JsonbPropertyOrder({"model", "messages", "maxTokens", "maxCompletionTokens", "temperature", "topP", "stop", "stream",
    "streamOptions", "tools", "toolChoice", "parallelToolCalls", "reasoningEffort", "responseFormat", "promptCacheKey",
    "safetyIdentifier"})
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        Integer maxTokens,
        Integer maxCompletionTokens,
        Double temperature,
        Double topP,
        List<String> stop,
        Boolean stream,
        StreamOptions streamOptions,
        List<ChatTool> tools,
        JsonValue toolChoice,
        Boolean parallelToolCalls,
        String reasoningEffort,
        JsonObject responseFormat,
        String promptCacheKey,
        String safetyIdentifier) {
    /**
     * A hash of the model alone, consistent with the record's equality. JSON-B's writer puts every
     * object it writes in a hash set (its recursion check), and a record's own hash walks its whole
     * tree: the request's, each message's and each tool's again, every schema included, per request.
     * The wire records that hold large trees hash a small part of themselves for that reason.
     */
    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(model);
    }

    /** The output-token limit sent, in whichever of the two fields this upstream takes. */
    public int outputLimit() {
        return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
    }

    /** The same request with another output-token limit, in the same field. */
    public ChatRequest withOutputLimit(int value) {
        return new ChatRequest(model, messages, maxCompletionTokens != null ? null : value,
                maxCompletionTokens != null ? value : null, temperature, topP, stop, stream, streamOptions, tools,
                toolChoice, parallelToolCalls, reasoningEffort, responseFormat, promptCacheKey, safetyIdentifier);
    }

    public record StreamOptions(boolean includeUsage) {
    }

    public record ChatTool(String type, FunctionDefinition function) {
        /** A hash of the function's name alone, for the reason {@link ChatRequest#hashCode()} gives. */
        @Override
        public int hashCode() {
            return function == null ? 0 : java.util.Objects.hashCode(function.name());
        }

        public ChatTool(FunctionDefinition function) {
            this("function", function);
        }
    }

    /** @param strict the arguments must follow {@code parameters} exactly; null when not asked (not sent) */
    public record FunctionDefinition(String name, String description, JsonObject parameters, Boolean strict) {
        /** A hash of the name alone, for the reason {@link ChatRequest#hashCode()} gives. */
        @Override
        public int hashCode() {
            return java.util.Objects.hashCode(name);
        }
    }
}
