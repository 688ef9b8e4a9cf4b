package dev.claudeproxy.anthropic;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/** The {@code GET /v1/models} page. */
@JsonbPropertyOrder({"data", "hasMore", "firstId", "lastId"})
public record ModelList(List<ModelInfo> data, boolean hasMore, @JsonbNillable String firstId,
                        @JsonbNillable String lastId) {
}
