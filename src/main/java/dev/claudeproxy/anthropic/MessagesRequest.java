package dev.claudeproxy.anthropic;

import dev.claudeproxy.anthropic.ContentBlock.TextBlock;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * What the gateway understood of a {@code POST /v1/messages} body; every field it does not use
 * is left behind at parsing.
 *
 * @param system the top-level {@code system}, as text blocks (a string becomes one block)
 * @param messages the turns in order; {@code role} is user, assistant or system
 * @param effort {@code output_config.effort}: low, medium, high, xhigh or max
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
        Optional<String> effort) {

    /**
     * The {@code thinking} setting: {@code type} enabled (with {@code budgetTokens}), adaptive or disabled.
     */
    public record Thinking(String type, int budgetTokens) {
    }

    public record InputMessage(String role, List<ContentBlock> content) {
    }

    /** A tool; {@code kind} is null or "custom" for client tools, a versioned type for server tools. */
    public record Tool(String kind, String name, String description, JsonObject inputSchema) {

        public boolean isCustom() {
            return kind == null || kind.equals("custom");
        }
    }

    /** {@code type} auto, any, tool (with {@code name}) or none. */
    public record ToolChoice(String type, String name, boolean disableParallelToolUse) {
    }
}
