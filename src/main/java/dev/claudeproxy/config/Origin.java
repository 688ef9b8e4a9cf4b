package dev.claudeproxy.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a request goes, as far as credentials are concerned: scheme, host and port (the web's
 * origin). A key is bound to one origin, so it never travels to another port of its host or over
 * plain http by accident.
 *
 * @param host lower case, IPv6 literals in brackets
 */
public record Origin(String scheme, String host, int port) {

    public Origin {
        scheme = scheme.toLowerCase(Locale.ROOT);
        host = host.toLowerCase(Locale.ROOT);
    }

    public static Origin of(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(uri.getScheme());
        return new Origin(uri.getScheme(), uri.getHost(), port);
    }

    /**
     * An origin as a setting writes it: {@code host} or {@code host:port} (https, port 443 by
     * default), or {@code http://host:port} and {@code https://host:port} with the scheme spelled out.
     *
     * @throws IllegalArgumentException when the text is none of these
     */
    public static Origin parse(String text) {
        String value = text.strip();
        String withScheme = value.contains("://") ? value : "https://" + value;
        try {
            URI uri = new URI(withScheme);
            boolean bare = (uri.getPath() == null || uri.getPath().isEmpty()) && uri.getQuery() == null
                    && uri.getFragment() == null && uri.getUserInfo() == null;
            if (uri.getHost() == null || !bare || !("http".equalsIgnoreCase(uri.getScheme())
                    || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new IllegalArgumentException("'" + value + "' is not host, host:port or http(s)://host:port");
            }
            return of(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + value + "' is not host, host:port or http(s)://host:port", e);
        }
    }

    public boolean isPlainHttp() {
        return scheme.equals("http");
    }

    static int defaultPort(String scheme) {
        return "http".equalsIgnoreCase(scheme) ? 80 : 443;
    }

    @Override
    public String toString() {
        return scheme + "://" + host + ":" + port;
    }
}
