package dev.claudeproxy.route;

import java.util.List;

/** The Anthropic API endpoints the gateway answers, by the path segments that end the request path. */
public enum Endpoint {
    COUNT_TOKENS(List.of("v1", "messages", "count_tokens")),
    MESSAGES(List.of("v1", "messages")),
    MODELS(List.of("v1", "models")),
    /** {@code GET /v1/models/{id}}; the id is the last segment. */
    MODEL_INFO(List.of("v1", "models", "*")),
    /** Claude Code's connectivity probe, {@code HEAD <base>/api/hello}. */
    HELLO(List.of("api", "hello"));

    private final List<String> suffix;

    Endpoint(List<String> suffix) {
        this.suffix = suffix;
    }

    List<String> suffix() {
        return suffix;
    }
}
