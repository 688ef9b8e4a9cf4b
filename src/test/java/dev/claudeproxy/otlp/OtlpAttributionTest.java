package dev.claudeproxy.otlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.claudeproxy.otlp.OtlpAttribution.Person;
import dev.claudeproxy.otlp.OtlpAttribution.Signal;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OtlpAttributionTest {

    private static final Person ADA = new Person("ada@corp.example", List.of("eng", "data"));

    @Test
    void eachResourceIsStampedWithThePersonAndTheRestIsKept() throws Exception {
        ExportMetricsServiceRequest export = ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder().setResource(Resource.newBuilder()
                        .addAttributes(text("enduser.id", "mallory")).addAttributes(text("service.name", "claude-code")))
                        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("claude_code.cost.usage"))))
                .addResourceMetrics(ResourceMetrics.newBuilder())
                .build();
        ExportMetricsServiceRequest stamped = ExportMetricsServiceRequest.parseFrom(
                OtlpAttribution.stamp(Signal.METRICS, false, export.toByteArray(), ADA));
        for (ResourceMetrics each : stamped.getResourceMetricsList()) {
            List<KeyValue> attributes = each.getResource().getAttributesList();
            assertEquals(1, attributes.stream().filter(kv -> kv.getKey().equals("enduser.id")).count());
            assertEquals("ada@corp.example", attributes.stream().filter(kv -> kv.getKey().equals("enduser.id")).findFirst()
                    .orElseThrow().getValue().getStringValue());
            assertEquals(List.of("eng", "data"), attributes.stream().filter(kv -> kv.getKey().equals("enduser.groups"))
                    .findFirst().orElseThrow().getValue().getArrayValue().getValuesList().stream()
                    .map(AnyValue::getStringValue).toList());
        }
        assertEquals("claude-code", stamped.getResourceMetrics(0).getResource().getAttributes(0).getValue().getStringValue());
        assertEquals("claude_code.cost.usage", stamped.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getName());
    }

    @Test
    void theJsonEncodingIsStampedAlike() throws Exception {
        String export = "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"enduser.groups\",\"value\":"
                + "{\"stringValue\":\"admins\"}},{\"key\":\"session.id\",\"value\":{\"stringValue\":\"s\"}}]},"
                + "\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"1\"}]}]}]}";
        String stamped = new String(OtlpAttribution.stamp(Signal.LOGS, true, export.getBytes(StandardCharsets.UTF_8), ADA),
                StandardCharsets.UTF_8);
        assertEquals("{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"session.id\",\"value\":{\"stringValue\":"
                + "\"s\"}},{\"key\":\"enduser.id\",\"value\":{\"stringValue\":\"ada@corp.example\"}},{\"key\":\"enduser.groups\","
                + "\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"eng\"},{\"stringValue\":\"data\"}]}}}]},"
                + "\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"1\"}]}]}]}", stamped);
    }

    @Test
    void anEmptyJsonExportStaysAsItIs() throws Exception {
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(empty, OtlpAttribution.stamp(Signal.TRACES, true, empty, ADA));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "{\"resourceSpans\":{}}", "{\"resourceSpans\":[1]}", "{\"resourceSpans\":[{\"resource\":[]}]}",
            "{\"resourceSpans\":[{\"resource\":{\"attributes\":{}}}]}", "{\"resourceSpans\":[", "{\"a\":1e99999999999}"})
    void jsonThatIsNoExportIsUnreadable(String export) {
        assertThrows(OtlpAttribution.Unreadable.class, () -> OtlpAttribution.stamp(Signal.TRACES, true,
                export.getBytes(StandardCharsets.UTF_8), ADA));
    }

    @Test
    void deepJsonIsUnreadable() {
        String deep = "{\"resourceSpans\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThrows(OtlpAttribution.Unreadable.class, () -> OtlpAttribution.stamp(Signal.TRACES, true,
                deep.getBytes(StandardCharsets.UTF_8), ADA));
    }

    @Test
    void bytesThatAreNoProtobufExportAreUnreadable() {
        assertThrows(OtlpAttribution.Unreadable.class, () -> OtlpAttribution.stamp(Signal.METRICS, false,
                new byte[] {(byte) 0xff, (byte) 0xff, 1}, ADA));
        byte[] deep = new byte[20_000];
        for (int i = 0; i < deep.length; i += 2) { // resource_metrics → resource → ... nested far past protobuf's limit
            deep[i] = 10;
            deep[i + 1] = (byte) 0x80;
        }
        assertThrows(OtlpAttribution.Unreadable.class, () -> OtlpAttribution.stamp(Signal.METRICS, false, deep, ADA));
    }

    private static KeyValue text(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }
}
