package dev.claudeproxy.anthropic;

/** Token counts; {@code inputTokens} excludes the cached tokens counted in {@code cacheReadInputTokens}. */
public record Usage(int inputTokens, int outputTokens, int cacheCreationInputTokens, int cacheReadInputTokens) {

}
