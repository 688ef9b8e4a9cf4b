package dev.claudeproxy.config;

import java.util.List;
import java.util.Locale;

/**
 * The upstream hosts a request path may name ({@code UPSTREAM_ALLOWLIST}): exact host names or
 * addresses, {@code *.example.com} for any subdomain of {@code example.com}, or {@code *} for any
 * host. Empty means any host (an open relay, logged as a warning at start). Routes configured on
 * the server are not subject to it.
 */
public record UpstreamAllowlist(List<String> patterns) {

    public UpstreamAllowlist {
        patterns = patterns.stream().map(p -> p.strip().toLowerCase(Locale.ROOT)).filter(p -> !p.isEmpty()).toList();
    }

    public boolean isOpen() {
        return patterns.isEmpty() || patterns.contains("*");
    }

    /** @param host a host name or address literal (IPv6 with or without brackets) */
    public boolean permits(String host) {
        if (isOpen()) {
            return true;
        }
        String name = host.toLowerCase(Locale.ROOT);
        String bare = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
        for (String pattern : patterns) {
            if (pattern.startsWith("*.")) {
                if (bare.endsWith(pattern.substring(1))) {
                    return true;
                }
            } else if (pattern.equals(bare) || pattern.equals("[" + bare + "]")) {
                return true;
            }
        }
        return false;
    }
}
