package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.Usage;
import dev.claudeproxy.openai.CompletionUsage;
import dev.claudeproxy.openai.CompletionUsage.PromptTokensDetails;

/** OpenAI usage → Anthropic usage, where {@code input_tokens} excludes the cached prompt tokens. */
public final class Usages {

    /** A rough average for English and code, used only where the upstream reports no usage. */
    private static final int CHARS_PER_TOKEN = 4;

    private Usages() {
    }

    public static Usage of(CompletionUsage usage) {
        PromptTokensDetails details = usage.promptTokensDetails();
        int cached = firstNonNull(details == null ? null : details.cachedTokens(), usage.promptCacheHitTokens());
        int written = firstNonNull(details == null ? null : details.cacheWriteTokens(), null);
        int prompt = firstNonNull(usage.promptTokens(), null);
        return new Usage(Math.max(prompt - cached - written, 0), firstNonNull(usage.completionTokens(), null),
                written, cached);
    }

    /** An estimate from text sizes, for upstreams that report no usage at all. */
    public static Usage estimate(long promptChars, long outputChars) {
        return new Usage(tokens(promptChars), tokens(outputChars), 0, 0);
    }

    private static int tokens(long chars) {
        return (int) Math.min(Integer.MAX_VALUE, (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
    }

    private static int firstNonNull(Integer first, Integer second) {
        if (first != null) {
            return first;
        }
        return second == null ? 0 : second;
    }
}
