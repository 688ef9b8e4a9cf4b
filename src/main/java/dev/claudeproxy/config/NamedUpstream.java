package dev.claudeproxy.config;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An upstream an operator named in server configuration ({@code UPSTREAMS}), which request paths
 * reach as {@code /_/<name>[/<model>]/v1/messages}: no host, port or model id in the path, so no
 * colon either (GlassFish refuses every path that holds one). Trusted as configured, like a server
 * route: the allowlist does not apply to it.
 *
 * @param name lower-case letters, digits and '-'
 * @param endpoint the URL it is called at: its {@code .../chat/completions}, or its base when that ends in {@code /responses}
 * @param model the model used for Claude model names when the path names none
 */
public record NamedUpstream(String name, URI endpoint, Optional<String> model) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /** Whether {@code name} is written as an upstream's name may be. */
    public static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }
}
