package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.StopReason;
import java.util.Locale;
import java.util.logging.Logger;

/** OpenAI {@code finish_reason} → Anthropic {@code stop_reason}. */
public final class StopReasons {

    private static final Logger LOG = Logger.getLogger(StopReasons.class.getName());

    private StopReasons() {
    }

    /**
     * Whether the answer holds tool calls decides {@code tool_use} (Gemini says {@code stop} even
     * then), unless the output was cut by the token limit. Case is ignored: some Gemini-backed
     * gateways send {@code STOP}, {@code MAX_TOKENS}, {@code SAFETY}.
     *
     * @param finishReason the upstream's value, null when it sent none
     */
    public static StopReason of(String finishReason, boolean hasToolCalls) {
        String reason = finishReason == null ? "" : finishReason.toLowerCase(Locale.ROOT);
        switch (reason) {
            case "length", "max_tokens", "model_length" -> {
                return StopReason.MAX_TOKENS;
            }
            case "content_filter", "safety", "recitation", "prohibited_content", "blocklist", "spii" -> {
                return StopReason.REFUSAL;
            }
            default -> {
                // decided below
            }
        }
        if (hasToolCalls) {
            return StopReason.TOOL_USE;
        }
        switch (reason) {
            case "stop", "end_turn", "eos", "stop_sequence" -> {
                return StopReason.END_TURN;
            }
            case "tool_calls", "function_call" -> {
                LOG.warning("upstream finished with " + finishReason + " but sent no tool call; reporting end_turn");
                return StopReason.END_TURN;
            }
            case "" -> {
                LOG.fine("upstream sent no finish_reason; reporting end_turn");
                return StopReason.END_TURN;
            }
            default -> {
                LOG.warning("unknown upstream finish_reason '" + finishReason + "'; reporting end_turn");
                return StopReason.END_TURN;
            }
        }
    }
}
