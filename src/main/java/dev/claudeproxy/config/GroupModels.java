package dev.claudeproxy.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code GROUP_MODELS}: the upstream models each group may use, as {@code host/model} patterns
 * where {@code *} stands for any text ({@code api.deepseek.com/*}, {@code *gpt-4.1-mini}, or
 * {@code *} for every model). The group {@code *} is everyone. Unset, everyone may use every model
 * the gateway reaches.
 *
 * @param byGroup group, lowercase → its patterns
 */
public record GroupModels(Map<String, List<String>> byGroup) {

    /** The group every user is in. */
    public static final String EVERYONE = "*";

    public GroupModels {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        byGroup.forEach((group, patterns) -> copy.put(group.toLowerCase(Locale.ROOT), List.copyOf(patterns)));
        byGroup = java.util.Collections.unmodifiableMap(copy);
    }

    /** Whether any rule is set: without one, every model is everyone's. */
    public boolean restricts() {
        return !byGroup.isEmpty();
    }

    /** The patterns of these groups and of everyone, in the order the setting gives them. */
    public List<String> allowed(Collection<String> groups) {
        List<String> lower = groups.stream().map(group -> group.toLowerCase(Locale.ROOT)).toList();
        List<String> patterns = new ArrayList<>();
        byGroup.forEach((group, its) -> {
            if (group.equals(EVERYONE) || lower.contains(group)) {
                its.stream().filter(pattern -> !patterns.contains(pattern)).forEach(patterns::add);
            }
        });
        return patterns;
    }

    /** Whether a user in these groups may use this model of this upstream host. */
    public boolean allows(Collection<String> groups, String host, String model) {
        if (!restricts()) {
            return true;
        }
        String target = host.toLowerCase(Locale.ROOT) + "/" + model;
        return allowed(groups).stream().anyMatch(pattern -> glob(pattern).matcher(target).matches());
    }

    /** Why a user in these groups may not use the model, and what they may use instead. */
    public String refusal(Collection<String> groups, String host, String model) {
        List<String> allowed = allowed(groups);
        String who = groups.isEmpty() ? "you (in no group)" : "your groups (" + String.join(", ", groups) + ")";
        return "model " + host.toLowerCase(Locale.ROOT) + "/" + model + " is not one " + who + " may use here; "
                + (allowed.isEmpty() ? "no model is open to them (GROUP_MODELS)"
                : "they may use " + String.join(", ", allowed) + " (GROUP_MODELS)");
    }

    private static Pattern glob(String pattern) {
        return Pattern.compile(Arrays.stream(pattern.toLowerCase(Locale.ROOT).split("\\*", -1)).map(Pattern::quote)
                .collect(Collectors.joining(".*")), Pattern.CASE_INSENSITIVE);
    }
}
