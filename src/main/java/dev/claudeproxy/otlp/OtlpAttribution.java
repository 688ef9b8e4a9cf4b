package dev.claudeproxy.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import dev.claudeproxy.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Stamps an OTLP/HTTP export (protobuf or JSON) with the person the gateway signed in: each
 * resource gets {@code enduser.id} and {@code enduser.groups}, and whatever
 * values of those the client put there itself are taken out first, so a client cannot speak for
 * another person. Pure: no I/O, the bytes in and the bytes out.
 */
public final class OtlpAttribution {

    /** The resource attributes the gateway owns. */
    static final String USER = "enduser.id";
    static final String GROUPS = "enduser.groups";
    private static final Set<String> OWNED = Set.of(USER, GROUPS);

    /** The three OTLP/HTTP signals, each at its path, with the JSON field that lists its resources. */
    public enum Signal {
        METRICS("/v1/metrics", "resourceMetrics"),
        LOGS("/v1/logs", "resourceLogs"),
        TRACES("/v1/traces", "resourceSpans");

        private final String path;
        private final String resources;

        Signal(String path, String resources) {
            this.path = path;
            this.resources = resources;
        }

        /** The path of this signal under a collector's OTLP/HTTP base ({@code /v1/metrics}...). */
        public String path() {
            return path;
        }

        public static Optional<Signal> ofPath(String path) {
            for (Signal signal : values()) {
                if (signal.path.equals(path)) {
                    return Optional.of(signal);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The signed-in person the telemetry is from.
     *
     * @param user the gateway's name for them (their email, else username, else subject)
     * @param groups their groups
     */
    public record Person(String user, List<String> groups) {
        public Person {
            groups = List.copyOf(groups);
        }
    }

    /** The body is not an OTLP export of its signal in the encoding it claims. */
    public static final class Unreadable extends Exception {
        Unreadable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private OtlpAttribution() {
    }

    /**
     * @param json whether the body is OTLP's JSON encoding ({@code application/json}); else protobuf
     * @return the same export in the same encoding, each resource stamped with {@code person}
     */
    public static byte[] stamp(Signal signal, boolean json, byte[] export, Person person) throws Unreadable {
        return json ? stampJson(signal, export, person) : stampProtobuf(signal, export, person);
    }

    private static byte[] stampProtobuf(Signal signal, byte[] export, Person person) throws Unreadable {
        try {
            return switch (signal) {
                case METRICS -> {
                    ExportMetricsServiceRequest.Builder metrics = ExportMetricsServiceRequest.parseFrom(export).toBuilder();
                    metrics.getResourceMetricsBuilderList().forEach(each -> stamp(each.getResourceBuilder(), person));
                    yield metrics.build().toByteArray();
                }
                case LOGS -> {
                    ExportLogsServiceRequest.Builder logs = ExportLogsServiceRequest.parseFrom(export).toBuilder();
                    logs.getResourceLogsBuilderList().forEach(each -> stamp(each.getResourceBuilder(), person));
                    yield logs.build().toByteArray();
                }
                case TRACES -> {
                    ExportTraceServiceRequest.Builder traces = ExportTraceServiceRequest.parseFrom(export).toBuilder();
                    traces.getResourceSpansBuilderList().forEach(each -> stamp(each.getResourceBuilder(), person));
                    yield traces.build().toByteArray();
                }
            };
        } catch (InvalidProtocolBufferException e) {
            throw new Unreadable("not an OTLP protobuf export of " + signal.path, e);
        }
    }

    private static void stamp(Resource.Builder resource, Person person) {
        for (int i = resource.getAttributesCount() - 1; i >= 0; i--) {
            if (OWNED.contains(resource.getAttributes(i).getKey())) {
                resource.removeAttributes(i);
            }
        }
        resource.addAttributes(text(USER, person.user()));
        ArrayValue.Builder groups = ArrayValue.newBuilder();
        person.groups().forEach(group -> groups.addValues(AnyValue.newBuilder().setStringValue(group)));
        resource.addAttributes(KeyValue.newBuilder().setKey(GROUPS).setValue(AnyValue.newBuilder().setArrayValue(groups)));
    }

    private static KeyValue text(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    /** OTLP's JSON encoding: the same stamp, on each {@code resource.attributes} array, the rest copied as it came. */
    private static byte[] stampJson(Signal signal, byte[] export, Person person) throws Unreadable {
        JsonValue read;
        try {
            read = Json.readValue(new ByteArrayInputStream(export));
        } catch (JsonException e) {
            throw new Unreadable("not an OTLP JSON export of " + signal.path, e);
        } catch (RuntimeException e) {
            if (Json.tooDeep(e)) {
                throw new Unreadable("an OTLP JSON export nested too deep", e);
            }
            throw e;
        }
        if (read.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new Unreadable("an OTLP JSON export is an object, not a " + read.getValueType(), null);
        }
        JsonObject request = read.asJsonObject();
        JsonValue listed = request.get(signal.resources);
        if (listed == null) {
            return export; // an empty export
        }
        if (listed.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new Unreadable(signal.resources + " is not an array", null);
        }
        JsonArrayBuilder stamped = Json.JSON_P.createArrayBuilder();
        for (JsonValue each : listed.asJsonArray()) {
            if (each.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new Unreadable(signal.resources + " holds a " + each.getValueType(), null);
            }
            JsonObject resources = each.asJsonObject();
            JsonValue resource = resources.getOrDefault("resource", JsonValue.EMPTY_JSON_OBJECT);
            if (resource.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new Unreadable("a resource is a " + resource.getValueType(), null);
            }
            JsonValue attributes = resource.asJsonObject().getOrDefault("attributes", JsonValue.EMPTY_JSON_ARRAY);
            if (attributes.getValueType() != JsonValue.ValueType.ARRAY) {
                throw new Unreadable("a resource's attributes are a " + attributes.getValueType(), null);
            }
            stamped.add(Json.JSON_P.createObjectBuilder(resources).add("resource", Json.JSON_P.createObjectBuilder(resource.asJsonObject())
                    .add("attributes", stamp(attributes.asJsonArray(), person))));
        }
        return Json.JSON_P.createObjectBuilder(request).add(signal.resources, stamped).build().toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    private static JsonArrayBuilder stamp(JsonArray attributes, Person person) {
        JsonArrayBuilder kept = Json.JSON_P.createArrayBuilder();
        for (JsonValue attribute : attributes) {
            boolean owned = attribute.getValueType() == JsonValue.ValueType.OBJECT
                    && OWNED.contains(attribute.asJsonObject().getString("key", ""));
            if (!owned) {
                kept.add(attribute);
            }
        }
        kept.add(textJson(USER, person.user()));
        JsonArrayBuilder groups = Json.JSON_P.createArrayBuilder();
        person.groups().forEach(group -> groups.add(Json.JSON_P.createObjectBuilder().add("stringValue", group)));
        return kept.add(Json.JSON_P.createObjectBuilder().add("key", GROUPS).add("value", Json.JSON_P.createObjectBuilder()
                .add("arrayValue", Json.JSON_P.createObjectBuilder().add("values", groups))));
    }

    private static JsonObjectBuilder textJson(String key, String value) {
        return Json.JSON_P.createObjectBuilder().add("key", key).add("value", Json.JSON_P.createObjectBuilder().add("stringValue", value));
    }
}
