package dev.claudeproxy.json;

import jakarta.json.JsonException;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.InputStream;
import java.io.StringReader;
import java.util.Map;
import jakarta.json.spi.JsonProvider;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.config.PropertyNamingStrategy;

/**
 * The one JSON-B instance of the gateway. Both protocols spell their fields in snake_case, so records
 * use Java names and this configuration maps them; null components are left out of the output
 * unless a type marks them {@code @JsonbNillable}. Thread-safe.
 */
public final class Json {

    /**
     * The JSON-P provider, looked up once. Use it instead of {@code jakarta.json.Json}'s static
     * factories, which look the provider up through {@link java.util.ServiceLoader} on every call:
     * in a webapp's class loader that reads the WAR's jar files each time, and was a third of the
     * gateway's CPU per request.
     */
    public static final JsonProvider JSON_P = JsonProvider.provider();

    private static final Jsonb JSONB = JsonbBuilder.create(new JsonbConfig()
            .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES)
            .withNullValues(false));

    /**
     * The deepest nesting of objects and arrays read from an outsider (a client's body, an
     * upstream's answer). Parsson's own limit (1,000) fails with a bare {@link RuntimeException},
     * and converting or counting deeply nested values recurses; no real request comes near this.
     */
    public static final int MAX_NESTING = 512;

    private static final JsonGeneratorFactory GENERATORS = JSON_P.createGeneratorFactory(Map.of());

    /** Parsson's maxDepth counts the document itself: one more than {@link #MAX_NESTING} containers. */
    private static final JsonParserFactory PARSERS = JSON_P.createParserFactory(
            Map.of("org.eclipse.parsson.maxDepth", MAX_NESTING + 1));

    private Json() {
    }

    /** A JSON-P generator writing to {@code out}, compact, as {@link #write} writes. */
    public static JsonGenerator generator(java.io.Writer out) {
        return GENERATORS.createGenerator(out);
    }

    public static String write(Object value) {
        return JSONB.toJson(value);
    }

    /**
     * {@code value} as UTF-8 JSON bytes, written straight to bytes: a large request (images as
     * base64) is not held once more as a string on the way.
     */
    public static byte[] writeUtf8(Object value) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(8192);
        JSONB.toJson(value, out);
        return out.toByteArray();
    }

    /**
     * One JSON value read whole, as a tree. Parsson builds every number as a {@code BigDecimal},
     * which refuses an exponent past {@code int}'s range ({@code 1e9999999999}) with a
     * {@link NumberFormatException}; here that is the {@link JsonException} any other text that is
     * not such JSON gets, so no reader of outsiders' JSON meets it.
     */
    public static JsonValue readValue(InputStream in) {
        return readWhole(JSON_P.createReader(in));
    }

    /** {@link #readValue(InputStream)}, from text. */
    public static JsonValue readValue(java.io.Reader in) {
        return readWhole(JSON_P.createReader(in));
    }

    private static JsonValue readWhole(JsonReader reader) {
        try (reader) {
            return reader.readValue();
        } catch (NumberFormatException e) {
            throw new JsonException("a number's exponent is out of range", e);
        }
    }

    /**
     * A streaming parser of {@code text} that refuses nesting deeper than {@link #MAX_NESTING}:
     * past it, Parsson throws a bare {@link RuntimeException} ({@link #tooDeep} tells it apart).
     * Walk values with {@code next()}: Parsson's {@code skipObject}/{@code skipArray} spin forever
     * at the end of a truncated text (Parsson 1.1.9 still; found by {@code StreamFuzzTest}).
     */
    public static JsonParser parser(String text) {
        return PARSERS.createParser(new StringReader(text));
    }

    /** Whether {@code e} is Parsson refusing a text nested deeper than {@link #MAX_NESTING}. */
    public static boolean tooDeep(RuntimeException e) {
        return e.getClass() == RuntimeException.class && e.getMessage() != null
                && e.getMessage().startsWith("Input is too deeply nested");
    }

    /**
     * What a JSON text will become once parsed, told before it is: its deepest nesting of objects
     * and arrays, and how many values and keys it holds (every object and array, every key, every
     * element after an array's first), counted outside strings in one linear pass. Parsed, a value
     * costs a hundred bytes or more however short its text, so the count, not the length, bounds
     * what a body of many tiny values becomes.
     */
    public record Shape(int deepest, long values) {
    }

    /** The {@link Shape} of the first {@code length} bytes of UTF-8 JSON. */
    public static Shape shape(byte[] utf8, int length) {
        int depth = 0;
        int deepest = 0;
        long values = 0;
        boolean inString = false;
        for (int i = 0; i < length; i++) {
            byte b = utf8[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                values++;
                deepest = Math.max(deepest, ++depth);
            } else if (b == '}' || b == ']') {
                depth--;
            } else if (b == ',' || b == ':') {
                values++;
            }
        }
        return new Shape(deepest, values);
    }
}
