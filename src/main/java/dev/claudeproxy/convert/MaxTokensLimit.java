package dev.claudeproxy.convert;

import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the output-token limit out of an upstream's "max_tokens too large" error, so the request
 * can be sent once more within it. The shapes seen: "supports at most 16384 completion tokens"
 * (OpenAI), "must be less than or equal to `32768`" (Groq), "the valid range of max_tokens is
 * [1, 8192]" (DeepSeek), "(128000 > 32768 - 20000)" (vLLM: context minus prompt).
 */
public final class MaxTokensLimit {

    private static final Pattern MENTIONS_MAX_TOKENS = Pattern.compile("max_(completion_)?tokens|max tokens|maximum tokens");
    private static final Pattern VLLM_BUDGET = Pattern.compile("\\((\\d+) > (\\d+) - (\\d+)\\)");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private MaxTokensLimit() {
    }

    /** The limit the error names, when it is a {@code max_tokens} complaint and names one below {@code sent}. */
    public static OptionalInt fromError(String message, int sent) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (!MENTIONS_MAX_TOKENS.matcher(lower).find()) {
            return OptionalInt.empty();
        }
        Matcher budget = VLLM_BUDGET.matcher(lower);
        if (budget.find()) {
            long left = Long.parseLong(budget.group(2)) - Long.parseLong(budget.group(3));
            return left >= 1 && left < sent ? OptionalInt.of((int) left) : OptionalInt.empty();
        }
        long best = 0;
        Matcher number = NUMBER.matcher(lower);
        while (number.find()) {
            if (number.group().length() > 9) {
                continue;
            }
            long value = Long.parseLong(number.group());
            if (value > 1 && value < sent && value > best) {
                best = value;
            }
        }
        return best > 0 ? OptionalInt.of((int) best) : OptionalInt.empty();
    }
}
