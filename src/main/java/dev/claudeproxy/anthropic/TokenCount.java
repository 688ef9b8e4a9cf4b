package dev.claudeproxy.anthropic;

/** The {@code POST /v1/messages/count_tokens} answer. */
public record TokenCount(int inputTokens) {
}
