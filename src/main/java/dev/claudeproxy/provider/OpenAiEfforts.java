package dev.claudeproxy.provider;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code reasoning_effort} values each OpenAI reasoning model takes, from the API reference
 * (2026-11): the o-series low to high; gpt-5, gpt-5-mini, gpt-5-nano and gpt-5-codex minimal to
 * high; gpt-5-pro high only; gpt-5.1 none to high (its codex models low to high, and
 * gpt-5.1-codex-max xhigh too); from gpt-5.2, xhigh on every model, and none on all but the codex
 * models. A value a model does not take is refused with 400, so the gateway sends the nearest it
 * takes.
 */
final class OpenAiEfforts {

    private static final Pattern GPT5 = Pattern.compile("^gpt-5(?:\\.(\\d+))?(.*)$");
    private static final List<String> O_SERIES = List.of("low", "medium", "high");

    private OpenAiEfforts() {
    }

    /** The values {@code family} (a lower-case model id without its organisation) takes, least first; empty when none. */
    static List<String> ladder(String family) {
        if (family.matches("^o\\d.*")) {
            return O_SERIES;
        }
        Matcher gpt5 = GPT5.matcher(family);
        if (!gpt5.matches()) {
            return List.of();
        }
        int minor = gpt5.group(1) == null ? 0 : Integer.parseInt(gpt5.group(1));
        String rest = gpt5.group(2);
        boolean codex = rest.contains("codex");
        if (rest.startsWith("-chat")) {
            return List.of(); // the chat models do not reason
        }
        if (rest.startsWith("-pro")) {
            return List.of("high");
        }
        if (minor == 0) {
            return List.of("minimal", "low", "medium", "high");
        }
        if (minor == 1) {
            if (rest.contains("codex-max")) {
                return List.of("low", "medium", "high", "xhigh");
            }
            return codex ? List.of("low", "medium", "high") : List.of("none", "low", "medium", "high");
        }
        return codex ? List.of("low", "medium", "high", "xhigh") : List.of("none", "low", "medium", "high", "xhigh");
    }

    /**
     * The value of {@code ladder} nearest what is wanted: the least, the most, or the level named,
     * else (a model with fewer levels) the most it takes, or for low the least.
     */
    static String nearest(List<String> ladder, Effort wanted) {
        String least = ladder.get(0);
        String most = ladder.get(ladder.size() - 1);
        return switch (wanted) {
            case LEAST -> least;
            case LOW -> ladder.contains("low") ? "low" : least;
            case MEDIUM -> ladder.contains("medium") ? "medium" : most;
            case HIGH -> ladder.contains("high") ? "high" : most;
            case XHIGH -> ladder.contains("xhigh") ? "xhigh" : most;
            case MAX -> most;
        };
    }
}
