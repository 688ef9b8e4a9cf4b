package dev.claudeproxy.anthropic;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * One entry of {@code GET /v1/models}, with the fields the official SDKs require (they refuse an
 * entry without {@code lifecycle} when they validate it).
 *
 * @param lifecycle {@code active}: a model the gateway serves is never deprecated or retired by it
 * @param maxInputTokens the model's context window, the most input it takes; {@code null} (written
 *     out, not left off) when it is not known
 */
@JsonbPropertyOrder({"type", "id", "displayName", "createdAt", "lifecycle", "maxInputTokens"})
public record ModelInfo(String type, String id, String displayName, String createdAt, String lifecycle,
                        @JsonbNillable Integer maxInputTokens) {

    public ModelInfo(String id, String displayName, String createdAt, Integer maxInputTokens) {
        this("model", id, displayName, createdAt, "active", maxInputTokens);
    }
}
