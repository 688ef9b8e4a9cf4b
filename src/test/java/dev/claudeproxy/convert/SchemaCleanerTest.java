package dev.claudeproxy.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Gemini schema dialect: what is dropped, what is rewritten, what is kept. */
class SchemaCleanerTest {

    static Stream<Arguments> schemas() {
        return Stream.of(
                Arguments.of("rejected keywords dropped at every depth, the rest kept",
                        "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\",\"additionalProperties\":false,"
                                + "\"required\":[\"a\"],\"properties\":{\"a\":{\"type\":\"array\",\"description\":\"d\",\"uniqueItems\":true,"
                                + "\"items\":{\"type\":\"object\",\"additionalProperties\":false,\"propertyNames\":{\"pattern\":\"x\"},"
                                + "\"properties\":{\"b\":{\"type\":\"string\",\"enum\":[\"x\",\"y\"],\"default\":\"x\"}}},\"maxItems\":4}}}",
                        "{\"type\":\"object\",\"required\":[\"a\"],\"properties\":{\"a\":{\"type\":\"array\",\"description\":\"d\","
                                + "\"items\":{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"string\",\"enum\":[\"x\",\"y\"]}}},\"maxItems\":4}}}"),
                Arguments.of("const to enum, exclusive bounds to inclusive, oneOf to anyOf",
                        "{\"type\":\"object\",\"properties\":{\"k\":{\"const\":\"a\"},\"n\":{\"type\":\"integer\",\"exclusiveMinimum\":0,"
                                + "\"exclusiveMaximum\":9007199254740991},\"u\":{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"number\"}]}}}",
                        "{\"type\":\"object\",\"properties\":{\"k\":{\"enum\":[\"a\"]},\"n\":{\"type\":\"integer\",\"minimum\":0,"
                                + "\"maximum\":9007199254740991},\"u\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"number\"}]}}}"),
                Arguments.of("nullable union and string formats",
                        "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":[\"string\",\"null\"],\"format\":\"uri\"},"
                                + "\"t\":{\"type\":\"string\",\"format\":\"date-time\"}}}",
                        "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"nullable\":true},"
                                + "\"t\":{\"type\":\"string\",\"format\":\"date-time\"}}}"),
                Arguments.of("local $ref inlined from $defs",
                        "{\"type\":\"object\",\"$defs\":{\"P\":{\"type\":\"object\",\"additionalProperties\":false,"
                                + "\"properties\":{\"x\":{\"type\":\"number\"}}}},\"properties\":{\"p\":{\"$ref\":\"#/$defs/P\"}}}",
                        "{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"}}}}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    void cleansForGemini(String rule, String schema, String expected) {
        assertEquals(json(expected), SchemaCleaner.forGemini(json(schema)));
    }

    private static JsonObject json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    @org.junit.jupiter.api.Test
    void strictDialectRemovesOnlyAnnotations() {
        assertEquals(json("{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"n\":{\"type\":\"integer\","
                        + "\"exclusiveMinimum\":0}}}"),
                SchemaCleaner.strict(json("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
                        + "\"additionalProperties\":false,\"properties\":{\"n\":{\"$comment\":\"c\",\"type\":\"integer\","
                        + "\"exclusiveMinimum\":0}}}")));
    }
}
