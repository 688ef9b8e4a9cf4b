package dev.claudeproxy.convert;

import static dev.claudeproxy.json.Json.JSON_P;

import dev.claudeproxy.anthropic.InvalidMessagesRequestException;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.JsonValue.ValueType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Rewrites a tool's JSON Schema into the subset Gemini accepts; Gemini rejects a whole request at
 * the first keyword outside it ({@code $schema}, {@code additionalProperties},
 * {@code exclusiveMinimum}, {@code propertyNames}, {@code const}... all found in Claude Code's own
 * tools). Keywords it accepts are kept, some others are rewritten to an equivalent it accepts
 * ({@code const} → {@code enum}, {@code exclusiveMinimum} → {@code minimum}, {@code oneOf} →
 * {@code anyOf}, {@code type: [T, "null"]} → {@code type: T, nullable: true}, local {@code $ref}
 * inlined), and the rest are dropped at every depth.
 *
 * <p>Inlining is bounded, because a request body is an outsider's input: a definition met again
 * inside its own expansion (a recursive schema) becomes {@code {}} there, chains of distinct
 * references stop after {@value #MAX_REF_DEPTH}, and all expansions of one request together may
 * produce at most {@value #EXPANSION_BUDGET} schemas; past that the request is refused (a schema
 * whose definitions refer to each other from several properties grows as k^depth).
 */
public final class SchemaCleaner {

    private static final Set<String> KEPT = Set.of("type", "description", "nullable", "enum", "required",
            "minItems", "maxItems", "minimum", "maximum", "minLength", "maxLength", "pattern", "title");
    private static final Set<String> STRING_FORMATS = Set.of("enum", "date-time");
    private static final Set<String> NUMBER_FORMATS = Set.of("int32", "int64", "float", "double");
    private static final int MAX_REF_DEPTH = 8;
    /** Schemas that $ref inlining may add to one request, over all its tools. */
    static final int EXPANSION_BUDGET = 10_000;

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

    /** The cleaned schema of one tool's parameters, with a budget of its own. */
    public static JsonObject forGemini(JsonObject schema) {
        return new Gemini().clean(schema, "input_schema");
    }

    /**
     * The Gemini dialect for the tools of one request, which share one expansion budget. Single
     * use, not thread-safe.
     */
    public static final class Gemini {

        private int expansionsLeft = EXPANSION_BUDGET;

        /**
         * @param path names the schema in the refusal, e.g. {@code tools.3.input_schema}
         * @throws InvalidMessagesRequestException when inlining its references would pass the budget
         */
        public JsonObject clean(JsonObject schema, String path) {
            return new Expansion(definitions(schema), path).clean(schema);
        }

        /** One schema's walk: its definitions, and the references being inlined on the way down. */
        private final class Expansion {
            private final JsonObject definitions;
            private final String path;
            private final Deque<String> inlining = new ArrayDeque<>();

            Expansion(JsonObject definitions, String path) {
                this.definitions = definitions;
                this.path = path;
            }

            JsonObject clean(JsonObject schema) {
                if (schema.get("$ref") instanceof JsonString ref) {
                    return inline(ref.getString());
                }
                if (!inlining.isEmpty() && --expansionsLeft < 0) {
                    throw new InvalidMessagesRequestException(path + ": its $ref definitions expand to more than "
                            + EXPANSION_BUDGET + " schemas, which this upstream needs inlined (Gemini takes no $ref);"
                            + " simplify the tool's schema");
                }
                return SchemaCleaner.clean(schema, this::clean);
            }

            private JsonObject inline(String ref) {
                JsonValue target = resolve(ref, definitions);
                if (!(target instanceof JsonObject resolved) || inlining.contains(ref) || inlining.size() >= MAX_REF_DEPTH) {
                    return JsonValue.EMPTY_JSON_OBJECT; // unresolvable, recursive, or too deep: any value
                }
                inlining.push(ref);
                try {
                    return clean(resolved);
                } finally {
                    inlining.pop();
                }
            }
        }
    }

    /** One schema object in the Gemini dialect; {@code inner} cleans the schemas nested in it. */
    private static JsonObject clean(JsonObject schema, UnaryOperator<JsonObject> inner) {
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
                                cleaned.add(name, inner.apply(object));
                            }
                        });
                        out.add("properties", cleaned);
                    }
                }
                case "items" -> {
                    if (value instanceof JsonObject items) {
                        out.add("items", inner.apply(items));
                    } else if (value instanceof JsonArray tuple && !tuple.isEmpty()
                            && tuple.get(0) instanceof JsonObject first) {
                        out.add("items", inner.apply(first));
                    }
                }
                case "anyOf", "oneOf" -> {
                    if (value instanceof JsonArray variants) {
                        JsonArrayBuilder cleaned = JSON_P.createArrayBuilder();
                        for (JsonValue variant : variants) {
                            if (variant instanceof JsonObject object) {
                                cleaned.add(inner.apply(object));
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
