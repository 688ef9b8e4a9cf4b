package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.StopReason;
import dev.claudeproxy.anthropic.StreamEvent.StopInfo;
import dev.claudeproxy.openai.ChatCompletion.Choice;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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

    /**
     * The whole stop decision: {@link #of}, and {@code stop_sequence} with the sequence when a
     * natural end was in fact the upstream stopping on a requested stop sequence.
     *
     * @param matchedSequence what {@link #matchedStopSequence} found in the finishing choice
     */
    public static StopInfo decide(String finishReason, boolean hasToolCalls, Optional<String> matchedSequence) {
        StopReason reason = of(finishReason, hasToolCalls);
        if (reason == StopReason.END_TURN && matchedSequence.isPresent()) {
            return new StopInfo(StopReason.STOP_SEQUENCE.wireName(), matchedSequence.get());
        }
        return new StopInfo(reason.wireName(), null);
    }

    /**
     * The requested stop sequence the upstream stopped on, when it says so: vLLM puts the matched
     * string in the choice's {@code stop_reason}, SGLang in {@code matched_stop}. Token ids and
     * strings that were not requested are not stop sequences.
     */
    public static Optional<String> matchedStopSequence(Choice choice, List<String> requested) {
        if (choice == null || requested.isEmpty()) {
            return Optional.empty();
        }
        for (JsonValue hint : new JsonValue[] {choice.stopReason(), choice.matchedStop()}) {
            if (hint instanceof JsonString matched && requested.contains(matched.getString())) {
                return Optional.of(matched.getString());
            }
        }
        return Optional.empty();
    }
}
