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

    /** Issue 11, point 1: a definition that refers to itself is cut at its first recurrence, not expanded again. */
    @org.junit.jupiter.api.Test
    void aSelfReferenceIsCutAtItsFirstRecurrence() {
        JsonObject tree = json("{\"type\":\"object\",\"$defs\":{\"Node\":{\"type\":\"object\",\"properties\":{"
                + "\"name\":{\"type\":\"string\"},\"left\":{\"$ref\":\"#/$defs/Node\"},\"right\":{\"$ref\":\"#/$defs/Node\"}}}},"
                + "\"properties\":{\"root\":{\"$ref\":\"#/$defs/Node\"}}}");
        assertEquals(json("{\"type\":\"object\",\"properties\":{\"root\":{\"type\":\"object\",\"properties\":{"
                        + "\"name\":{\"type\":\"string\"},\"left\":{},\"right\":{}}}}}"),
                SchemaCleaner.forGemini(tree));
    }

    /**
     * Issue 11, point 1: definitions without a cycle can still fan out (each referring to the next
     * from eight properties gives 8^8 copies); past the budget the request is refused, not expanded.
     */
    @org.junit.jupiter.api.Test
    void aFanOutPastTheBudgetIsRefusedNamingTheTool() {
        JsonObject schema = json(dev.claudeproxy.HostileSchemas.fanOut(8, 8));
        dev.claudeproxy.anthropic.InvalidMessagesRequestException refused = org.junit.jupiter.api.Assertions.assertThrows(
                dev.claudeproxy.anthropic.InvalidMessagesRequestException.class, () -> SchemaCleaner.forGemini(schema));
        org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().contains("$ref"), refused.getMessage());
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
