package dev.claudeproxy.identity;

import dev.claudeproxy.config.GroupModels;
import dev.claudeproxy.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Claude Code settings each group of signed-in users is sent ({@code MANAGED_SETTINGS}, served
 * at {@code /managed/settings}): the first group of the setting, in its order, that the user is in
 * ({@code *} is everyone). Each policy carries the checksum Claude Code computes itself: SHA-256
 * of its settings as canonical JSON (keys sorted at every level, no whitespace).
 */
public final class ManagedSettings {

    /** One group's settings, its id and checksum. */
    public record Policy(String uuid, String checksum, JsonObject settings) {
    }

    private final Map<String, Policy> byGroup;

    /** @param byGroup group → settings, in the order they are tried */
    public ManagedSettings(Map<String, JsonObject> byGroup) {
        Map<String, Policy> policies = new java.util.LinkedHashMap<>();
        byGroup.forEach((group, settings) -> policies.put(group.toLowerCase(Locale.ROOT),
                new Policy("group:" + group, "sha256:" + Digests.sha256Hex(canonical(settings)), settings)));
        this.byGroup = policies;
    }

    /** The policy of the first group the user is in; empty when none is theirs (Claude Code: no policy). */
    public Optional<Policy> of(Collection<String> groups) {
        java.util.List<String> lower = groups.stream().map(group -> group.toLowerCase(Locale.ROOT)).toList();
        return byGroup.entrySet().stream()
                .filter(entry -> entry.getKey().equals(GroupModels.EVERYONE) || lower.contains(entry.getKey()))
                .map(Map.Entry::getValue).findFirst();
    }

    /** The answer's body: Claude Code takes it only in this wrapper. */
    public static String body(Policy policy) {
        return Json.JSON_P.createObjectBuilder().add("uuid", policy.uuid()).add("checksum", policy.checksum())
                .add("settings", policy.settings()).build().toString();
    }

    /** JSON with the keys of every object sorted (by UTF-16 code units, as JavaScript sorts them), without whitespace. */
    static String canonical(JsonValue value) {
        return sorted(value).toString();
    }

    private static JsonValue sorted(JsonValue value) {
        switch (value.getValueType()) {
            case OBJECT -> {
                JsonObjectBuilder object = Json.JSON_P.createObjectBuilder();
                new TreeMap<>(value.asJsonObject()).forEach((key, inner) -> object.add(key, sorted(inner)));
                return object.build();
            }
            case ARRAY -> {
                JsonArrayBuilder array = Json.JSON_P.createArrayBuilder();
                value.asJsonArray().forEach(inner -> array.add(sorted(inner)));
                return array.build();
            }
            default -> {
                return value;
            }
        }
    }
}
