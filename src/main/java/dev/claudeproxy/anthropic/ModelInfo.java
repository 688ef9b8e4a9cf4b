package dev.claudeproxy.anthropic;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/** One entry of {@code GET /v1/models}. */
@JsonbPropertyOrder({"type", "id", "displayName", "createdAt"})
public record ModelInfo(String type, String id, String displayName, String createdAt) {

    public ModelInfo(String id, String displayName, String createdAt) {
        this("model", id, displayName, createdAt);
    }
}
