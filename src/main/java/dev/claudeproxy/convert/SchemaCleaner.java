package dev.claudeproxy.convert;

import static dev.claudeproxy.json.Json.JSON_P;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.JsonValue.ValueType;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a tool's JSON Schema into the subset Gemini accepts; Gemini rejects a whole request at
 * the first keyword outside it ({@code $schema}, {@code additionalProperties},
 * {@code exclusiveMinimum}, {@code propertyNames}, {@code const}... all found in Claude Code's own
 * tools). Keywords it accepts are kept, some others are rewritten to an equivalent it accepts
 * ({@code const} → {@code enum}, {@code exclusiveMinimum} → {@code minimum}, {@code oneOf} →
 * {@code anyOf}, {@code type: [T, "null"]} → {@code type: T, nullable: true}, local {@code $ref}
 * inlined), and the rest are dropped at every depth.
 */
public final class SchemaCleaner {

    private static final Set<String> KEPT = Set.of("type", "description", "nullable", "enum", "required",
            "minItems", "maxItems", "minimum", "maximum", "minLength", "maxLength", "pattern", "title");
    private static final Set<String> STRING_FORMATS = Set.of("enum", "date-time");
    private static final Set<String> NUMBER_FORMATS = Set.of("int32", "int64", "float", "double");
    private static final int MAX_REF_DEPTH = 8;

    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment");

    private SchemaCleaner() {
    }

    /**
     * The strict dialect (Groq, Mistral: upstreams that validate requests strictly): only JSON
     * Schema's annotation keywords, which carry no constraint, are removed, at every depth.
     */
    public static JsonValue strict(JsonValue schema) {
        if (schema instanceof JsonObject object) {
            JsonObjectBuilder out = JSON_P.createObjectBuilder();
            object.forEach((key, value) -> {
                if (!ANNOTATIONS.contains(key)) {
                    out.add(key, strict(value));
                }
            });
            return out.build();
        }
        if (schema instanceof JsonArray array) {
            JsonArrayBuilder out = JSON_P.createArrayBuilder();
            array.forEach(item -> out.add(strict(item)));
            return out.build();
        }
        return schema;
    }

    /** The cleaned schema of a tool's parameters. */
    public static JsonObject forGemini(JsonObject schema) {
        JsonObject definitions = definitions(schema);
        return clean(schema, definitions, 0);
    }

    private static JsonObject clean(JsonObject schema, JsonObject definitions, int refDepth) {
        if (schema.get("$ref") instanceof JsonString ref) {
            JsonValue target = resolve(ref.getString(), definitions);
            if (target instanceof JsonObject resolved && refDepth < MAX_REF_DEPTH) {
                return clean(resolved, definitions, refDepth + 1);
            }
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        JsonObjectBuilder out = JSON_P.createObjectBuilder();
        for (Map.Entry<String, JsonValue> entry : schema.entrySet()) {
            String key = entry.getKey();
            JsonValue value = entry.getValue();
            switch (key) {
                case "type" -> type(value, out);
                case "properties" -> {
                    if (value instanceof JsonObject properties) {
                        JsonObjectBuilder cleaned = JSON_P.createObjectBuilder();
                        properties.forEach((name, property) -> {
                            if (property instanceof JsonObject object) {
                                cleaned.add(name, clean(object, definitions, refDepth));
                            }
                        });
                        out.add("properties", cleaned);
                    }
                }
                case "items" -> {
                    if (value instanceof JsonObject items) {
                        out.add("items", clean(items, definitions, refDepth));
                    } else if (value instanceof JsonArray tuple && !tuple.isEmpty()
                            && tuple.get(0) instanceof JsonObject first) {
                        out.add("items", clean(first, definitions, refDepth));
                    }
                }
                case "anyOf", "oneOf" -> {
                    if (value instanceof JsonArray variants) {
                        JsonArrayBuilder cleaned = JSON_P.createArrayBuilder();
                        for (JsonValue variant : variants) {
                            if (variant instanceof JsonObject object) {
                                cleaned.add(clean(object, definitions, refDepth));
                            }
                        }
                        out.add("anyOf", cleaned);
                    }
                }
                case "const" -> out.add("enum", JSON_P.createArrayBuilder().add(value));
                case "exclusiveMinimum" -> {
                    if (value.getValueType() == ValueType.NUMBER && !schema.containsKey("minimum")) {
                        out.add("minimum", value);
                    }
                }
                case "exclusiveMaximum" -> {
                    if (value.getValueType() == ValueType.NUMBER && !schema.containsKey("maximum")) {
                        out.add("maximum", value);
                    }
                }
                case "format" -> {
                    if (value instanceof JsonString format && allowedFormat(schema, format.getString())) {
                        out.add("format", format);
                    }
                }
                default -> {
                    if (KEPT.contains(key)) {
                        out.add(key, value);
                    }
                }
            }
        }
        return out.build();
    }

    /** {@code ["string", "null"]} becomes {@code "string"} plus {@code nullable}; other unions keep their first type. */
    private static void type(JsonValue value, JsonObjectBuilder out) {
        if (value instanceof JsonString) {
            out.add("type", value);
            return;
        }
        if (value instanceof JsonArray types) {
            String chosen = null;
            boolean nullable = false;
            for (JsonValue type : types) {
                if (type instanceof JsonString name) {
                    if (name.getString().equals("null")) {
                        nullable = true;
                    } else if (chosen == null) {
                        chosen = name.getString();
                    }
                }
            }
            if (chosen != null) {
                out.add("type", chosen);
            }
            if (nullable) {
                out.add("nullable", true);
            }
        }
    }

    private static boolean allowedFormat(JsonObject schema, String format) {
        JsonValue type = schema.get("type");
        boolean isString = type instanceof JsonString name && name.getString().equals("string");
        return isString ? STRING_FORMATS.contains(format) : NUMBER_FORMATS.contains(format);
    }

    private static JsonObject definitions(JsonObject schema) {
        JsonObjectBuilder all = JSON_P.createObjectBuilder();
        for (String key : new String[] {"definitions", "$defs"}) {
            if (schema.get(key) instanceof JsonObject defs) {
                defs.forEach(all::add);
            }
        }
        return all.build();
    }

    private static JsonValue resolve(String ref, JsonObject definitions) {
        for (String prefix : new String[] {"#/$defs/", "#/definitions/"}) {
            if (ref.startsWith(prefix)) {
                return definitions.get(ref.substring(prefix.length()));
            }
        }
        return null;
    }
}
