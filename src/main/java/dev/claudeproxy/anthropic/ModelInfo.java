package dev.claudeproxy.anthropic;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * One entry of {@code GET /v1/models}.
 *
 * @param maxInputTokens the model's context window, the most input it takes; {@code null} (written
 *     out, not left off) when it is not known
 */
@JsonbPropertyOrder({"type", "id", "displayName", "createdAt", "maxInputTokens"})
public record ModelInfo(String type, String id, String displayName, String createdAt,
                        @JsonbNillable Integer maxInputTokens) {

    public ModelInfo(String id, String displayName, String createdAt, Integer maxInputTokens) {
        this("model", id, displayName, createdAt, maxInputTokens);
    }
}
