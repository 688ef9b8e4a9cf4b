package dev.claudeproxy.convert;

import static dev.claudeproxy.json.Json.JSON_P;

import dev.claudeproxy.anthropic.ContentBlock.DocumentBlock;
import dev.claudeproxy.anthropic.ContentBlock.ImageBlock;
import dev.claudeproxy.anthropic.ContentBlock.OtherBlock;
import dev.claudeproxy.anthropic.ContentBlock.Source;
import dev.claudeproxy.anthropic.ContentBlock.TextBlock;
import dev.claudeproxy.anthropic.ContentBlock.ThinkingBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolReferenceBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolResultBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolUseBlock;
import dev.claudeproxy.anthropic.ContentBlock;
import dev.claudeproxy.anthropic.InvalidMessagesRequestException;
import dev.claudeproxy.anthropic.MessagesRequest.InputMessage;
import dev.claudeproxy.anthropic.MessagesRequest.Tool;
import dev.claudeproxy.anthropic.MessagesRequest.ToolChoice;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.openai.ChatMessage;
import dev.claudeproxy.openai.ChatRole;
import dev.claudeproxy.openai.ChatRequest.ChatTool;
import dev.claudeproxy.openai.ChatRequest.FunctionDefinition;
import dev.claudeproxy.openai.ChatRequest.StreamOptions;
import dev.claudeproxy.openai.ChatRequest;
import dev.claudeproxy.openai.ToolCall.FunctionCall;
import dev.claudeproxy.openai.ToolCall;
import dev.claudeproxy.provider.Effort;
import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.provider.ThinkingSigner;
import dev.claudeproxy.provider.Target;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Anthropic {@code /v1/messages} request → Chat Completions request. Pure: the upstream request is
 * built only from what was understood; everything without an OpenAI meaning ({@code cache_control},
 * {@code thinking}, {@code output_config}, {@code metadata}, {@code top_k}, server tools...) is left
 * behind.
 */
public final class RequestConverter {

    /** Claude Code's per-request attribution block; its nonce would defeat upstream prompt caches. */
    static final String BILLING_HEADER_PREFIX = "x-anthropic-billing-header:";

    private static final Logger LOG = Logger.getLogger(RequestConverter.class.getName());
    /** The result a tool call is given when the conversation holds none (the user interrupted it). */
    static final String NO_RESULT = "[no result: the tool call was interrupted]";

    private RequestConverter() {
    }

    /**
     * Converts a request for one upstream: its model, its profile's rules, its output-token cap.
     *
     * @param attribution whom the request is for: hashed into {@code prompt_cache_key} and
     *     {@code safety_identifier} for upstreams that take them
     */
    public static ChatRequest toChatRequest(MessagesRequest request, Target target, Attribution attribution) {
        Profile profile = target.profile();
        List<ChatMessage> messages = new ArrayList<>();
        List<String> systemTexts = new ArrayList<>(texts(request.system()));
        for (int i = 0; i < request.messages().size(); i++) {
            InputMessage message = request.messages().get(i);
            switch (message.role()) {
                case SYSTEM -> systemTexts.addAll(texts(message.content()));
                case ASSISTANT -> assistant(message.content(), target).ifPresent(messages::add);
                case USER -> user(message.content(), "messages." + i, target, messages);
            }
        }
        if (!systemTexts.isEmpty()) {
            messages.add(0, new ChatMessage(ChatRole.SYSTEM, JSON_P.createValue(String.join("\n\n", systemTexts)), null, null));
        }
        List<ChatTool> tools = tools(request, profile);
        // A choice of the web search (Claude Code's WebSearch names it) an upstream hosts is made in its own terms.
        boolean hostedSearchChosen = ResponsesRequests.HostedSearch.of(request, target).filter(ResponsesRequests.HostedSearch::forced)
                .isPresent();
        JsonValue toolChoice = tools.isEmpty() || hostedSearchChosen ? null : toolChoice(request.toolChoice().orElse(null), tools);
        Boolean parallelToolCalls = !tools.isEmpty()
                && request.toolChoice().map(ToolChoice::disableParallelToolUse).orElse(false) ? Boolean.FALSE : null;
        int outputLimit = Math.min(request.maxTokens(), target.maxTokensCap());
        // OpenAI's reasoning models take only max_completion_tokens, and refuse sampling parameters.
        boolean reasoningModel = profile.isOpenAiReasoningModel(target.model());
        List<String> stop = StopSequences.sentUpstream(request.stopSequences(), target);
        Attribution known = attribution.orFrom(request);
        boolean cacheKeys = profile.has(Profile.Trait.CACHE_KEYS);
        return new ChatRequest(
                target.model(),
                mapToolIds(mergeConsecutive(pairToolCalls(messages)), profile.toolIds()),
                reasoningModel ? null : outputLimit,
                reasoningModel ? outputLimit : null,
                reasoningModel ? null : request.temperature().orElse(null),
                reasoningModel ? null : request.topP().orElse(null),
                stop.isEmpty() ? null : stop,
                request.stream() ? Boolean.TRUE : null,
                request.stream() ? new StreamOptions(true) : null,
                tools.isEmpty() ? null : tools,
                toolChoice,
                parallelToolCalls,
                effort(request).flatMap(effort -> profile.reasoningEffort(target.model(), effort)).orElse(null),
                request.outputFormat().map(format -> responseFormat(format, profile)).orElse(null),
                cacheKeys ? known.promptCacheKey().orElse(null) : null,
                cacheKeys ? known.safetyIdentifier().orElse(null) : null);
    }

    /**
     * How hard the client asks the model to think: thinking turned off is the least; a budget
     * below 4096 tokens low, below 16000 medium, else high; adaptive thinking takes
     * {@code output_config.effort}, medium by default. Nothing when the request says nothing.
     */
    static Optional<Effort> effort(MessagesRequest request) {
        if (request.thinking().isEmpty()) {
            return Optional.empty();
        }
        MessagesRequest.Thinking thinking = request.thinking().get();
        return switch (thinking.type()) {
            case "disabled" -> Optional.of(Effort.LEAST);
            case "enabled" -> Optional.of(thinking.budgetTokens() < 4096 ? Effort.LOW
                    : thinking.budgetTokens() < 16000 ? Effort.MEDIUM : Effort.HIGH);
            case "adaptive" -> Optional.of(request.effort().flatMap(Effort::of).orElse(Effort.MEDIUM));
            default -> Optional.empty();
        };
    }

    /**
     * {@code output_config.format} as a {@code response_format}: its JSON schema, strict where the
     * upstream takes {@code strict}, rewritten for Gemini as tool schemas are. An upstream that
     * takes no JSON schema, and a format type this gateway does not know, are refused: the client
     * asked for schema-valid JSON, and prose would be a wrong answer given as a right one.
     */
    private static JsonObject responseFormat(JsonObject format, Profile profile) {
        String type = format.getString("type");
        if (!type.equals("json_schema")) {
            throw new InvalidMessagesRequestException("output_config.format.type: '" + type
                    + "' is not one this gateway can ask an OpenAI-compatible upstream for (json_schema is)");
        }
        if (profile.has(Profile.Trait.NO_JSON_SCHEMA)) {
            throw new InvalidMessagesRequestException("output_config.format: this upstream (" + profile.name()
                    .toLowerCase(java.util.Locale.ROOT) + ") answers in JSON mode only and cannot be held to a JSON"
                    + " schema; send the request without output_config.format, or to a model that takes structured outputs");
        }
        JsonObject schema = format.getJsonObject("schema");
        if (profile.has(Profile.Trait.GEMINI_SCHEMAS)) {
            schema = new SchemaCleaner.Gemini().clean(schema, "output_config.format.schema");
        }
        var jsonSchema = JSON_P.createObjectBuilder().add("name", "answer").add("schema", schema);
        if (profile.has(Profile.Trait.STRICT_FUNCTIONS)) {
            jsonSchema.add("strict", true);
        }
        return JSON_P.createObjectBuilder().add("type", "json_schema").add("json_schema", jsonSchema).build();
    }

    private static List<ChatMessage> mapToolIds(List<ChatMessage> messages, Profile.ToolIds rule) {
        if (rule == Profile.ToolIds.KEEP) {
            return messages;
        }
        List<ChatMessage> mapped = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            List<ToolCall> calls = message.toolCalls() == null ? null : message.toolCalls().stream()
                    .map(call -> new ToolCall(null, ToolIdMapper.map(call.id(), rule), call.type(), call.function(),
                            call.extraContent())).toList();
            String toolCallId = message.toolCallId() == null ? null : ToolIdMapper.map(message.toolCallId(), rule);
            mapped.add(new ChatMessage(message.role(), message.content(), calls, toolCallId, message.reasoningContent(),
                    message.encryptedReasoning()));
        }
        return mapped;
    }

    private static List<String> texts(List<? extends ContentBlock> blocks) {
        List<String> texts = new ArrayList<>();
        for (ContentBlock block : blocks) {
            if (block instanceof TextBlock text && !text.text().isEmpty()
                    && !text.text().startsWith(BILLING_HEADER_PREFIX)) {
                texts.add(text.text());
            }
        }
        return texts;
    }

    /**
     * A user turn: one {@code tool} message per {@code tool_result}, in order, then one user message
     * with the remaining text and images (OpenAI puts no user content before the tool answers, and
     * a tool message cannot hold images, so a result's images follow in that user message).
     */
    private static void user(List<ContentBlock> blocks, String path, Target target, List<ChatMessage> out) {
        List<JsonValue> parts = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            ContentBlock block = blocks.get(i);
            String blockPath = path + ".content." + i;
            if (block instanceof TextBlock text) {
                if (!text.text().isEmpty()) {
                    parts.add(textPart(text.text()));
                }
            } else if (block instanceof ImageBlock image) {
                parts.add(imagePart(image.source(), blockPath));
            } else if (block instanceof DocumentBlock document) {
                parts.add(documentPart(document, blockPath, target));
            } else if (block instanceof ToolResultBlock result) {
                List<JsonValue> images = new ArrayList<>();
                String text = toolResultText(result, images, blockPath, target);
                out.add(new ChatMessage(ChatRole.TOOL, JSON_P.createValue(text), null, GeminiThoughtSignatures.bareId(result.toolUseId())));
                if (!images.isEmpty()) {
                    parts.add(textPart("Attachments returned by tool call " + GeminiThoughtSignatures.bareId(result.toolUseId()) + ":"));
                    parts.addAll(images);
                }
            } else if (block instanceof OtherBlock other) {
                otherText(other).ifPresent(text -> parts.add(textPart(text)));
            } else if (block instanceof ToolReferenceBlock reference) {
                parts.add(textPart(loadedText(List.of(reference.toolName()))));
            } else if (block instanceof ToolUseBlock) {
                throw new InvalidMessagesRequestException(blockPath + ": tool_use blocks belong in assistant messages");
            } else {
                LOG.fine(() -> "dropped a " + block.type() + " block from a user turn");
            }
        }
        if (!parts.isEmpty()) {
            out.add(new ChatMessage(ChatRole.USER, content(parts), null, null));
        }
    }

    /** A tool result's text; its images and PDFs (a tool message holds text only) go to {@code attachments}. */
    private static String toolResultText(ToolResultBlock result, List<JsonValue> attachments, String path, Target target) {
        List<String> texts = new ArrayList<>();
        List<String> loaded = new ArrayList<>();
        for (int i = 0; i < result.content().size(); i++) {
            ContentBlock block = result.content().get(i);
            String blockPath = path + ".content." + i;
            if (block instanceof TextBlock text) {
                texts.add(text.text());
            } else if (block instanceof ImageBlock image) {
                attachments.add(imagePart(image.source(), blockPath));
            } else if (block instanceof DocumentBlock document && isPdf(document)) {
                attachments.add(documentPart(document, blockPath, target));
            } else if (block instanceof DocumentBlock document) {
                texts.add(documentText(document, blockPath));
            } else if (block instanceof OtherBlock other) {
                otherText(other).ifPresent(texts::add);
            } else if (block instanceof ToolReferenceBlock reference) {
                loaded.add(reference.toolName());
            } else {
                LOG.fine(() -> "dropped a " + block.type() + " block from a tool_result");
            }
        }
        if (!loaded.isEmpty()) {
            texts.add(loadedText(loaded));
        }
        String text = String.join("\n", texts);
        return result.isError() ? "Error: " + text : text;
    }

    /**
     * An assistant turn: its text as {@code content}, its {@code tool_use} blocks as
     * {@code tool_calls}. Its thinking is dropped, except for upstreams that want their reasoning
     * back on tool-call turns (DeepSeek), which get the text of the thinking blocks this gateway
     * signed for that same upstream.
     */
    private static Optional<ChatMessage> assistant(List<ContentBlock> blocks, Target target) {
        List<String> texts = new ArrayList<>();
        List<ToolCall> toolCalls = new ArrayList<>();
        List<String> reasoning = new ArrayList<>();
        List<String> encrypted = new ArrayList<>();
        for (ContentBlock block : blocks) {
            if (block instanceof ThinkingBlock thinking) {
                if (target.thinkingSigner().verify(target.authority(), thinking.thinking(), thinking.signature())) {
                    reasoning.add(thinking.thinking());
                    if (target.dialect() == Dialect.RESPONSES) {
                        ThinkingSigner.carried(thinking.signature())
                                .ifPresent(carried -> encrypted.addAll(List.of(carried.split(" "))));
                    }
                } else {
                    LOG.fine("dropped a thinking block this gateway did not sign for this upstream");
                }
            } else if (block instanceof TextBlock text) {
                if (!text.text().isEmpty()) {
                    texts.add(text.text());
                }
            } else if (block instanceof ToolUseBlock toolUse) {
                ToolCall call = ToolCall.of(GeminiThoughtSignatures.bareId(toolUse.id()),
                        new FunctionCall(toolUse.name(), toolUse.input().toString()));
                if (target.profile().has(Profile.Trait.THOUGHT_SIGNATURES)) {
                    // Each call gets its signature back; the first call of a turn at least needs the bypass.
                    Optional<String> signature = GeminiThoughtSignatures.carried(toolUse.id());
                    if (signature.isPresent() || toolCalls.isEmpty()) {
                        call = call.withExtraContent(GeminiThoughtSignatures.extraContent(
                                signature.orElse(GeminiThoughtSignatures.SKIP_VALIDATOR)));
                    }
                }
                toolCalls.add(call);
            } else if (block instanceof OtherBlock other) {
                otherText(other).ifPresent(texts::add);
            } else {
                LOG.fine(() -> "dropped a " + block.type() + " block from an assistant turn");
            }
        }
        if (texts.isEmpty() && toolCalls.isEmpty()) {
            return Optional.empty();
        }
        JsonValue content = texts.isEmpty() ? JsonValue.NULL : JSON_P.createValue(String.join("\n\n", texts));
        String reasoningContent = target.profile().has(Profile.Trait.REPLAYS_REASONING) && !toolCalls.isEmpty()
                ? String.join("", reasoning) : null;
        return Optional.of(new ChatMessage(ChatRole.ASSISTANT, content, toolCalls.isEmpty() ? null : toolCalls, null,
                reasoningContent, encrypted.isEmpty() ? null : List.copyOf(encrypted)));
    }

    /**
     * Makes every tool call answered and every tool answer called, as OpenAI-style upstreams demand
     * (400 otherwise): a call left without a result (the user interrupted it) gets a stand-in result
     * right after the results it does have; a result whose call is not in the assistant turn just
     * before it becomes user text.
     */
    private static List<ChatMessage> pairToolCalls(List<ChatMessage> messages) {
        List<ChatMessage> paired = new ArrayList<>(messages.size());
        Set<String> open = new LinkedHashSet<>();
        for (ChatMessage message : messages) {
            if (message.role() == ChatRole.TOOL) {
                if (open.remove(message.toolCallId())) {
                    paired.add(message);
                } else {
                    LOG.fine("a tool_result without its tool_use was sent as user text");
                    String text = message.content() instanceof JsonString result ? result.getString() : "";
                    paired.add(new ChatMessage(ChatRole.USER, JSON_P.createValue("Result of tool call " + message.toolCallId()
                            + ":\n" + text), null, null));
                }
                continue;
            }
            answerOpenCalls(open, paired);
            if (message.toolCalls() != null) {
                message.toolCalls().forEach(call -> open.add(call.id()));
            }
            paired.add(message);
        }
        answerOpenCalls(open, paired);
        return paired;
    }

    private static void answerOpenCalls(Set<String> open, List<ChatMessage> paired) {
        for (String id : open) {
            LOG.fine("a tool_use without its tool_result got a stand-in result");
            paired.add(new ChatMessage(ChatRole.TOOL, JSON_P.createValue(NO_RESULT), null, id));
        }
        open.clear();
    }

    /**
     * Strict chat templates (Mistral, Llama) reject two turns of the same role in a row; Anthropic
     * allows them, and lifting {@code role: "system"} messages out creates more.
     */
    private static List<ChatMessage> mergeConsecutive(List<ChatMessage> messages) {
        List<ChatMessage> merged = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            ChatMessage last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.role() == message.role()
                    && (message.role() == ChatRole.USER || message.role() == ChatRole.ASSISTANT)) {
                merged.set(merged.size() - 1, merge(last, message));
            } else {
                merged.add(message);
            }
        }
        return merged;
    }

    private static ChatMessage merge(ChatMessage first, ChatMessage second) {
        List<ToolCall> toolCalls = new ArrayList<>();
        if (first.toolCalls() != null) {
            toolCalls.addAll(first.toolCalls());
        }
        if (second.toolCalls() != null) {
            toolCalls.addAll(second.toolCalls());
        }
        JsonValue content;
        if (first.content() == JsonValue.NULL || second.content() == JsonValue.NULL) {
            content = first.content() == JsonValue.NULL ? second.content() : first.content();
        } else {
            List<JsonValue> parts = new ArrayList<>(partsOf(first.content()));
            parts.addAll(partsOf(second.content()));
            content = content(parts);
        }
        String reasoningContent = first.reasoningContent() == null ? second.reasoningContent()
                : second.reasoningContent() == null ? first.reasoningContent()
                : first.reasoningContent() + second.reasoningContent();
        List<String> encrypted = new ArrayList<>();
        if (first.encryptedReasoning() != null) {
            encrypted.addAll(first.encryptedReasoning());
        }
        if (second.encryptedReasoning() != null) {
            encrypted.addAll(second.encryptedReasoning());
        }
        return new ChatMessage(first.role(), content, toolCalls.isEmpty() ? null : toolCalls, null, reasoningContent,
                encrypted.isEmpty() ? null : encrypted);
    }

    private static List<JsonValue> partsOf(JsonValue content) {
        if (content instanceof JsonString text) {
            return List.of(textPart(text.getString()));
        }
        return content.asJsonArray();
    }

    /** Text-only content as one string (every upstream takes that); with images, an array of parts. */
    private static JsonValue content(List<JsonValue> parts) {
        boolean textOnly = parts.stream().allMatch(part -> part.asJsonObject().getString("type").equals("text"));
        if (textOnly) {
            return JSON_P.createValue(parts.stream()
                    .map(part -> part.asJsonObject().getString("text"))
                    .collect(Collectors.joining("\n\n")));
        }
        JsonArrayBuilder array = JSON_P.createArrayBuilder();
        parts.forEach(array::add);
        return array.build();
    }

    private static JsonObject textPart(String text) {
        return JSON_P.createObjectBuilder().add("type", "text").add("text", text).build();
    }

    private static JsonObject imagePart(Source source, String path) {
        String url = switch (source.type()) {
            case "base64" -> {
                if (source.data() == null || source.mediaType() == null) {
                    throw new InvalidMessagesRequestException(path + ".source: base64 images need media_type and data");
                }
                yield "data:" + source.mediaType() + ";base64," + source.data();
            }
            case "url" -> {
                if (source.url() == null) {
                    throw new InvalidMessagesRequestException(path + ".source.url: Field required");
                }
                yield source.url();
            }
            default -> throw new InvalidMessagesRequestException(path + ".source: image source type '"
                    + source.type() + "' cannot be sent to an OpenAI-compatible upstream (use base64 or url)");
        };
        return JSON_P.createObjectBuilder().add("type", "image_url")
                .add("image_url", JSON_P.createObjectBuilder().add("url", url)).build();
    }

    private static boolean isPdf(DocumentBlock document) {
        return document.source().type().equals("base64") && "application/pdf".equals(document.source().mediaType());
    }

    /** A text document as a text part; a base64 PDF as a {@code file} part where the upstream takes files. */
    private static JsonObject documentPart(DocumentBlock document, String path, Target target) {
        if (isPdf(document) && target.profile().has(Profile.Trait.PDF_FILES) && document.source().data() != null) {
            String filename = document.title() == null ? "document.pdf" : document.title();
            return JSON_P.createObjectBuilder().add("type", "file").add("file", JSON_P.createObjectBuilder()
                    .add("filename", filename)
                    .add("file_data", "data:application/pdf;base64," + document.source().data())).build();
        }
        return textPart(documentText(document, path));
    }

    private static String documentText(DocumentBlock document, String path) {
        String title = document.title() == null ? "" : document.title() + "\n\n";
        return switch (document.source().type()) {
            case "text" -> title + (document.source().data() == null ? "" : document.source().data());
            case "content" -> title + String.join("\n", texts(document.content()));
            default -> throw new InvalidMessagesRequestException(path + ": a document block with a '"
                    + document.source().type() + "' source (PDF) cannot be sent to this upstream (only OpenAI, Azure and "
                    + "OpenRouter take PDF files, as base64); send the document's text instead");
        };
    }

    /**
     * What a tool search's result means to a model that sees no {@code tool_reference}: the tools
     * it loaded, which the request now offers as functions.
     */
    private static String loadedText(List<String> toolNames) {
        return "Loaded the tool" + (toolNames.size() == 1 ? " " : "s ") + String.join(", ", toolNames)
                + ": " + (toolNames.size() == 1 ? "it is" : "they are") + " in your tools now and can be called.";
    }

    /** Server-tool and search blocks have no OpenAI form: their text, where they have one, is kept. */
    private static Optional<String> otherText(OtherBlock other) {
        if (other.raw().get("content") instanceof JsonArray content) {
            String text = content.stream()
                    .filter(item -> item instanceof JsonObject object && object.get("text") instanceof JsonString)
                    .map(item -> item.asJsonObject().getString("text"))
                    .collect(Collectors.joining("\n"));
            if (!text.isEmpty()) {
                return Optional.of(text);
            }
        }
        LOG.fine(() -> "dropped a " + other.type() + " block: no OpenAI equivalent");
        return Optional.empty();
    }

    /**
     * The request's custom tools as functions. A tool with {@code defer_loading} is offered only
     * once the conversation has loaded it (a {@code tool_reference} naming it, in a tool search's
     * result), as Anthropic's API adds it to the model's tools then; until then it is not one the
     * model may call (Claude Code's {@code DeferredToolPlaceholder} never is).
     */
    private static List<ChatTool> tools(MessagesRequest request, Profile profile) {
        List<Tool> tools = request.tools();
        Set<String> loaded = tools.stream().anyMatch(Tool::deferLoading) ? loadedTools(request) : Set.of();
        List<ChatTool> functions = new ArrayList<>();
        SchemaCleaner.Gemini gemini = new SchemaCleaner.Gemini();
        for (int i = 0; i < tools.size(); i++) {
            Tool tool = tools.get(i);
            if (!tool.isCustom()) {
                LOG.info(() -> "dropped server tool '" + tool.name() + "' of type " + tool.kind()
                        + ": it runs on Anthropic's servers only");
                continue;
            }
            if (tool.deferLoading() && !loaded.contains(tool.name())) {
                LOG.fine(() -> "left out deferred tool '" + tool.name() + "': no tool_reference has loaded it");
                continue;
            }
            JsonObject schema = tool.inputSchema() == null
                    ? JSON_P.createObjectBuilder().add("type", "object").add("properties", JsonValue.EMPTY_JSON_OBJECT).build()
                    : tool.inputSchema();
            if (profile.has(Profile.Trait.STRICT_SCHEMAS)) {
                schema = SchemaCleaner.strict(schema).asJsonObject();
            }
            if (profile.has(Profile.Trait.GEMINI_SCHEMAS)) {
                schema = gemini.clean(schema, "tools." + i + ".input_schema");
                // Gemini rejects an object schema without properties; a function without parameters is fine.
                if (!(schema.get("properties") instanceof JsonObject properties) || properties.isEmpty()) {
                    schema = null;
                }
            }
            Boolean strict = tool.strict() && profile.has(Profile.Trait.STRICT_FUNCTIONS) ? Boolean.TRUE : null;
            functions.add(new ChatTool(new FunctionDefinition(tool.name(), tool.description(), schema, strict)));
        }
        return functions;
    }

    /** The tools a {@code tool_reference} in the conversation names: those a tool search has loaded. */
    private static Set<String> loadedTools(MessagesRequest request) {
        Set<String> loaded = new java.util.HashSet<>();
        for (InputMessage message : request.messages()) {
            for (ContentBlock block : message.content()) {
                if (block instanceof ToolReferenceBlock reference) {
                    loaded.add(reference.toolName());
                } else if (block instanceof ToolResultBlock result) {
                    result.content().stream().filter(ToolReferenceBlock.class::isInstance)
                            .forEach(item -> loaded.add(((ToolReferenceBlock) item).toolName()));
                }
            }
        }
        return loaded;
    }

    private static JsonValue toolChoice(ToolChoice choice, List<ChatTool> tools) {
        if (choice == null) {
            return null;
        }
        return switch (choice.type()) {
            case AUTO -> JSON_P.createValue("auto");
            case ANY -> JSON_P.createValue("required");
            case NONE -> JSON_P.createValue("none");
            case TOOL -> {
                if (tools.stream().noneMatch(tool -> tool.function().name().equals(choice.name()))) {
                    throw new InvalidMessagesRequestException("tool_choice.name: '" + choice.name()
                            + "' is not one of the request's custom tools");
                }
                yield JSON_P.createObjectBuilder().add("type", "function")
                        .add("function", JSON_P.createObjectBuilder().add("name", choice.name())).build();
            }
        };
    }
}
