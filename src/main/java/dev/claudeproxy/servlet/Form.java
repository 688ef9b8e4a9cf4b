package dev.claudeproxy.servlet;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An {@code application/x-www-form-urlencoded} body, as the OAuth endpoints and the code page
 * take one, read from its bytes (the container's parameter parsing would block a thread on a
 * client that sends slowly). A field given twice counts once, its first value, as
 * {@code getParameter} has it; a body of another type is an empty form.
 */
record Form(Map<String, String> fields) {

    /** The body is not URL-encoded text (a {@code %} not followed by two hex digits). */
    static final class Malformed extends Exception {
        Malformed(Throwable cause) {
            super("the form is not URL-encoded", cause);
        }
    }

    static Form of(String contentType, byte[] body) throws Malformed {
        Map<String, String> fields = new LinkedHashMap<>();
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return new Form(fields);
        }
        try {
            for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
                if (!pair.isEmpty()) {
                    int equals = pair.indexOf('=');
                    fields.putIfAbsent(URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8),
                            equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new Malformed(e);
        }
        return new Form(fields);
    }

    /** The field's value, or null when the form has no such field. */
    String get(String name) {
        return fields.get(name);
    }
}
