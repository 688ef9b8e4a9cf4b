package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.Usage;
import dev.claudeproxy.openai.CompletionUsage;
import dev.claudeproxy.openai.CompletionUsage.PromptTokensDetails;

/** OpenAI usage → Anthropic usage, where {@code input_tokens} excludes the cached prompt tokens. */
public final class Usages {

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

    private static int firstNonNull(Integer first, Integer second) {
        if (first != null) {
            return first;
        }
        return second == null ? 0 : second;
    }
}
