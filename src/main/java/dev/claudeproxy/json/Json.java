package dev.claudeproxy.json;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;
import jakarta.json.bind.config.PropertyNamingStrategy;

/**
 * The one JSON-B instance of the gateway. Both protocols spell their fields in snake_case, so records
 * use Java names and this configuration maps them; null components are left out of the output
 * unless a type marks them {@code @JsonbNillable}. Thread-safe.
 */
public final class Json {

    private static final Jsonb JSONB = JsonbBuilder.create(new JsonbConfig()
            .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES)
            .withNullValues(false));

    private Json() {
    }

    public static String write(Object value) {
        return JSONB.toJson(value);
    }

    /** Parses {@code text} as {@code type}; a text that is not such JSON throws {@link JsonbException}. */
    public static <T> T read(String text, Class<T> type) {
        return JSONB.fromJson(text, type);
    }
}
