package dev.claudeproxy.convert;

import static dev.claudeproxy.json.Json.JSON_P;

import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.openai.ChatMessage;
import dev.claudeproxy.openai.ChatRequest;
import dev.claudeproxy.openai.ChatRequest.ChatTool;
import dev.claudeproxy.openai.ToolCall;
import dev.claudeproxy.responses.ResponsesRequest;
import dev.claudeproxy.responses.ResponsesRequest.FunctionCallItem;
import dev.claudeproxy.responses.ResponsesRequest.FunctionCallOutputItem;
import dev.claudeproxy.responses.ResponsesRequest.FunctionTool;
import dev.claudeproxy.responses.ResponsesRequest.InputItem;
import dev.claudeproxy.responses.ResponsesRequest.MessageItem;
import dev.claudeproxy.responses.ResponsesRequest.ToolItem;
import dev.claudeproxy.responses.ResponsesRequest.WebSearchTool;
import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.provider.Target;
import dev.claudeproxy.responses.ResponsesRequest.ReasoningItem;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A converted Chat Completions request → the same request in the Responses API's terms. The
 * Anthropic request is converted once ({@link RequestConverter}: tool pairing, images, documents,
 * schemas, effort, the upstream's profile), and this maps that result field by field, so both
 * dialects carry the same conversation. Pure.
 */
public final class ResponsesRequests {

    private ResponsesRequests() {
    }

    /** The encrypted reasoning a reasoning model is asked for, to be given back on the next turn. */
    static final String ENCRYPTED_REASONING = "reasoning.encrypted_content";

    /** The sources a hosted web search used, asked for so that its results can be listed. */
    static final String SEARCH_SOURCES = "web_search_call.action.sources";

    /**
     * The hosted web search a request asks for (Anthropic's {@code web_search} server tool), when
     * its upstream is OpenAI's or Azure's Responses API, which has one of its own; elsewhere the
     * tool is left out, as every server tool is.
     *
     * @param allowedDomains the only domains to search, empty for any
     * @param forced the request's {@code tool_choice} names it (Claude Code's WebSearch does)
     */
    public record HostedSearch(List<String> allowedDomains, boolean forced) {

        public static Optional<HostedSearch> of(MessagesRequest clientRequest, Target target) {
            if (target.dialect() != Dialect.RESPONSES || !target.profile().has(Profile.Trait.OPENAI_MODELS)) {
                return Optional.empty();
            }
            return clientRequest.tools().stream().filter(MessagesRequest.Tool::isWebSearch).findFirst()
                    .map(tool -> new HostedSearch(tool.allowedDomains(), clientRequest.toolChoice()
                            .map(choice -> choice.type() == MessagesRequest.ToolChoice.Kind.TOOL
                                    && tool.name().equals(choice.name())).orElse(false)));
        }
    }

    /**
     * @param reasoningModel whether the model reasons (OpenAI's o-series and gpt-5, or a request
     *     that asks for an effort): its reasoning is asked for encrypted, to be given back
     * @param search the hosted web search to offer, if any
     */
    public static ResponsesRequest from(ChatRequest chatRequest, boolean reasoningModel, Optional<HostedSearch> search) {
        List<String> instructions = new ArrayList<>();
        List<InputItem> input = new ArrayList<>();
        for (ChatMessage message : chatRequest.messages()) {
            switch (message.role()) {
                case SYSTEM -> instructions.add(text(message.content()));
                case USER -> input.add(new MessageItem("user", userParts(message.content())));
                case ASSISTANT -> assistant(message, input);
                case TOOL -> input.add(new FunctionCallOutputItem(message.toolCallId(), text(message.content())));
            }
        }
        List<ToolItem> tools = new ArrayList<>();
        if (chatRequest.tools() != null) {
            chatRequest.tools().forEach(tool -> tools.add(tool(tool)));
        }
        search.ifPresent(hosted -> tools.add(new WebSearchTool(hosted.allowedDomains().isEmpty() ? null
                : JSON_P.createObjectBuilder().add("allowed_domains", JSON_P.createArrayBuilder(hosted.allowedDomains()))
                        .build())));
        List<String> include = new ArrayList<>();
        if (reasoningModel || chatRequest.reasoningEffort() != null) {
            include.add(ENCRYPTED_REASONING);
        }
        if (search.isPresent()) {
            include.add(SEARCH_SOURCES);
        }
        // A request that names the search in tool_choice: the model must use a tool, and the search is the one offered
        // (Claude Code's WebSearch sends no other), or one of its functions.
        JsonValue toolChoice = search.filter(HostedSearch::forced).isPresent()
                ? JSON_P.createValue("required") : toolChoice(chatRequest.toolChoice());
        return new ResponsesRequest(
                chatRequest.model(),
                instructions.isEmpty() ? null : String.join("\n\n", instructions),
                input,
                chatRequest.outputLimit(),
                chatRequest.temperature(),
                chatRequest.topP(),
                chatRequest.stream(),
                tools.isEmpty() ? null : tools,
                toolChoice,
                chatRequest.parallelToolCalls(),
                chatRequest.reasoningEffort() == null ? null
                        : new ResponsesRequest.Reasoning(chatRequest.reasoningEffort(), "auto"),
                include.isEmpty() ? null : include,
                chatRequest.responseFormat() == null ? null : textFormat(chatRequest.responseFormat()),
                false,
                chatRequest.promptCacheKey(),
                chatRequest.safetyIdentifier());
    }

    /** An assistant turn: its reasoning given back as the upstream encrypted it, its text as one message, then each of its calls as a {@code function_call} item. */
    private static void assistant(ChatMessage message, List<InputItem> input) {
        if (message.encryptedReasoning() != null) {
            message.encryptedReasoning().forEach(encrypted -> input.add(new ReasoningItem(encrypted)));
        }
        String text = text(message.content());
        if (!text.isEmpty()) {
            input.add(new MessageItem("assistant", List.of(JSON_P.createObjectBuilder().add("type", "output_text")
                    .add("text", text).add("annotations", JsonValue.EMPTY_JSON_ARRAY).build())));
        }
        if (message.toolCalls() != null) {
            for (ToolCall call : message.toolCalls()) {
                input.add(new FunctionCallItem(call.id(), call.function().name(), call.function().arguments()));
            }
        }
    }

    /** A Chat Completions message's text: its string, or its text parts joined (assistant and tool messages hold text only). */
    private static String text(JsonValue content) {
        if (content instanceof JsonString string) {
            return string.getString();
        }
        if (content instanceof JsonArray parts) {
            List<String> texts = new ArrayList<>();
            for (JsonValue part : parts) {
                if (part instanceof JsonObject object && object.get("text") instanceof JsonString text) {
                    texts.add(text.getString());
                }
            }
            return String.join("\n\n", texts);
        }
        return "";
    }

    /** A user message's parts: {@code text} → {@code input_text}, {@code image_url} → {@code input_image}, {@code file} → {@code input_file}. */
    private static List<JsonObject> userParts(JsonValue content) {
        if (content instanceof JsonString text) {
            return List.of(inputText(text.getString()));
        }
        List<JsonObject> parts = new ArrayList<>();
        for (JsonValue value : content.asJsonArray()) {
            JsonObject part = value.asJsonObject();
            switch (part.getString("type")) {
                case "text" -> parts.add(inputText(part.getString("text")));
                case "image_url" -> parts.add(JSON_P.createObjectBuilder().add("type", "input_image")
                        .add("image_url", part.getJsonObject("image_url").getString("url")).add("detail", "auto").build());
                case "file" -> {
                    JsonObject file = part.getJsonObject("file");
                    parts.add(JSON_P.createObjectBuilder().add("type", "input_file")
                            .add("filename", file.getString("filename")).add("file_data", file.getString("file_data")).build());
                }
                default -> throw new IllegalStateException("a user part of type " + part.getString("type")
                        + ", which RequestConverter does not make");
            }
        }
        return parts;
    }

    private static JsonObject inputText(String text) {
        return JSON_P.createObjectBuilder().add("type", "input_text").add("text", text).build();
    }

    private static FunctionTool tool(ChatTool tool) {
        JsonObject parameters = tool.function().parameters() == null
                ? JSON_P.createObjectBuilder().add("type", "object").add("properties", JsonValue.EMPTY_JSON_OBJECT).build()
                : tool.function().parameters();
        return new FunctionTool(tool.function().name(), tool.function().description(), parameters,
                Boolean.TRUE.equals(tool.function().strict()));
    }

    /** {@code {type: function, function: {name}}} → {@code {type: function, name}}; the strings are the same in both. */
    private static JsonValue toolChoice(JsonValue choice) {
        if (choice instanceof JsonObject object && object.get("function") instanceof JsonObject function) {
            return JSON_P.createObjectBuilder().add("type", "function").add("name", function.getString("name")).build();
        }
        return choice;
    }

    /** {@code response_format: {type: json_schema, json_schema: {name, schema, strict}}} → {@code text: {format: {type: json_schema, name, schema, strict}}}. */
    private static JsonObject textFormat(JsonObject responseFormat) {
        var format = JSON_P.createObjectBuilder().add("type", "json_schema");
        responseFormat.getJsonObject("json_schema").forEach(format::add);
        return JSON_P.createObjectBuilder().add("format", format).build();
    }
}
