package dev.claudeproxy.openai;

/**
 * Chat Completions token usage.
 *
 * @param promptCacheHitTokens DeepSeek's name for cached prompt tokens
 */
public record CompletionUsage(Integer promptTokens, Integer completionTokens, Integer totalTokens,
                              PromptTokensDetails promptTokensDetails, Integer promptCacheHitTokens) {

    public record PromptTokensDetails(Integer cachedTokens, Integer cacheWriteTokens) {
    }
}
