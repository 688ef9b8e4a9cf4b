package dev.claudeproxy.anthropic;

import dev.claudeproxy.anthropic.ContentBlock.TextBlock;
import jakarta.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the gateway understood of a {@code POST /v1/messages} body; every field it does not use
 * is left behind at parsing.
 *
 * @param system the top-level {@code system}, as text blocks (a string becomes one block)
 * @param messages the turns in order
 * @param effort {@code output_config.effort}: low, medium, high, xhigh or max
 * @param outputFormat {@code output_config.format}: the answer's required form ({@code json_schema} and its schema)
 * @param metadataUserId {@code metadata.user_id}, as the client sent it (Claude Code: JSON naming its device and session)
 */
public record MessagesRequest(
        String model,
        int maxTokens,
        List<TextBlock> system,
        List<InputMessage> messages,
        List<Tool> tools,
        Optional<ToolChoice> toolChoice,
        Optional<Double> temperature,
        Optional<Double> topP,
        List<String> stopSequences,
        boolean stream,
        Optional<Thinking> thinking,
        Optional<String> effort,
        Optional<JsonObject> outputFormat,
        Optional<String> metadataUserId) {

    /** The same request with another {@code thinking} setting. */
    public MessagesRequest withThinking(Thinking other) {
        return new MessagesRequest(model, maxTokens, system, messages, tools, toolChoice, temperature, topP, stopSequences,
                stream, Optional.of(other), effort, outputFormat, metadataUserId);
    }

    /**
     * The {@code thinking} setting: {@code type} enabled (with {@code budgetTokens}), adaptive or disabled.
     */
    public record Thinking(String type, int budgetTokens) {
    }

    public record InputMessage(Role role, List<ContentBlock> content) {
    }

    /** Who a turn is from. {@code system} is not an Anthropic role, but some clients send it as one. */
    public enum Role {
        USER, ASSISTANT, SYSTEM;

        /** The role a request names, when it is one. */
        public static Optional<Role> of(String wire) {
            return Arrays.stream(values()).filter(role -> role.name().toLowerCase(Locale.ROOT).equals(wire)).findFirst();
        }
    }

    /**
     * A tool; {@code kind} is null or "custom" for client tools, a versioned type for server tools.
     *
     * @param strict the model's input must follow the schema exactly
     * @param deferLoading the tool is offered only once a {@code tool_reference} in the conversation has loaded it
     */
    /** @param allowedDomains a web search tool's {@code allowed_domains} (empty for any other tool) */
    public record Tool(String kind, String name, String description, JsonObject inputSchema, boolean strict,
                       boolean deferLoading, List<String> allowedDomains) {

        public boolean isCustom() {
            return kind == null || kind.equals("custom");
        }

        /** Whether this is Anthropic's hosted web search ({@code web_search_20250305} and later). */
        public boolean isWebSearch() {
            return kind != null && kind.startsWith("web_search_");
        }
    }

    /** @param name the tool, for {@link Kind#TOOL} */
    public record ToolChoice(Kind type, String name, boolean disableParallelToolUse) {

        /** Whether the model chooses ({@code auto}), must call some tool ({@code any}), that one ({@code tool}), or none. */
        public enum Kind {
            AUTO, ANY, TOOL, NONE;

            /** The kind a request names, when it is one. */
            public static Optional<Kind> of(String wire) {
                return Arrays.stream(values()).filter(kind -> kind.name().toLowerCase(Locale.ROOT).equals(wire)).findFirst();
            }
        }
    }
}
