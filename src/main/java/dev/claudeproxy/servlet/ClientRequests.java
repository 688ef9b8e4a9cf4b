package dev.claudeproxy.servlet;

import dev.claudeproxy.config.Secret;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.security.Principal;
import java.util.Map;
import java.util.Optional;

/** What the gateway reads off a client's request besides its JSON: key, user, bounded body. */
final class ClientRequests {

    private ClientRequests() {
    }

    /**
     * Whether the client says the request is its own retry: the Anthropic SDKs (Claude Code too)
     * count their retries in {@code x-stainless-retry-count}, 0 on the first attempt.
     */
    static boolean isRetry(HttpServletRequest clientToProxyRequest) {
        String count = clientToProxyRequest.getHeader("x-stainless-retry-count");
        try {
            return count != null && Integer.parseInt(count.strip()) > 0;
        } catch (NumberFormatException notACount) {
            return false;
        }
    }

    /** {@code x-api-key} wins over {@code Authorization: Bearer} when a client sends both (Claude Code may). */
    static Optional<Secret> key(HttpServletRequest clientToProxyRequest) {
        String apiKey = clientToProxyRequest.getHeader("x-api-key");
        if (apiKey != null && !apiKey.isBlank()) {
            return Optional.of(Secret.of(apiKey));
        }
        String authorization = clientToProxyRequest.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && !authorization.substring(7).isBlank()) {
            return Optional.of(Secret.of(authorization.substring(7)));
        }
        return Optional.empty();
    }

    /**
     * The container's authenticated principal, else the user the SSO front named in
     * {@code userHeader}; for logs, so control characters are dropped and the length capped.
     */
    static Optional<String> user(HttpServletRequest clientToProxyRequest, String userHeader) {
        Principal principal = clientToProxyRequest.getUserPrincipal();
        String name = principal != null ? principal.getName() : clientToProxyRequest.getHeader(userHeader);
        if (name == null || !isName(name)) {
            return Optional.empty();
        }
        return Optional.of(Trace.clean(name.strip()));
    }

    /**
     * Whether a value can name a user: no control character (C0 or C1), and something besides
     * spaces of any kind (a no-break space, an em space) and invisible format characters (a
     * zero-width space), which would make an invisible user.
     */
    private static boolean isName(String value) {
        boolean visible = false;
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            int type = Character.getType(c);
            if (type == Character.CONTROL) {
                return false;
            }
            visible |= !Character.isWhitespace(c) && !Character.isSpaceChar(c) && type != Character.FORMAT;
            i += Character.charCount(c);
        }
        return visible;
    }

    /** A header's value as it may stand in a log line ({@link Trace#clean}), when it has one. */
    static Optional<String> header(HttpServletRequest clientToProxyRequest, String name) {
        String value = clientToProxyRequest.getHeader(name);
        if (value == null) {
            return Optional.empty();
        }
        String clean = Trace.clean(value.strip());
        return clean.isEmpty() ? Optional.empty() : Optional.of(clean);
    }

    /** A JSON media type: {@code application/json} or a {@code +json} suffix. */
    private static final java.util.regex.Pattern JSON_TYPE = java.util.regex.Pattern.compile("application/([a-z0-9.+-]+\\+)?json");

    /**
     * Refuses a POST that a web page could send cross-site without a preflight: one neither
     * declared as JSON nor carrying an Anthropic header. Browsers send text/plain and form bodies
     * ("simple" requests) from any page, with the user's cookies; a JSON content type or an
     * Anthropic header makes them ask the gateway first, and CORS answers no unless configured.
     */
    static void refuseSimpleCrossSitePost(HttpServletRequest clientToProxyRequest) {
        String type = clientToProxyRequest.getContentType();
        boolean json = type != null && JSON_TYPE.matcher(type.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT))
                .matches();
        boolean anthropic = clientToProxyRequest.getHeader("anthropic-version") != null
                || clientToProxyRequest.getHeader("x-api-key") != null;
        if (!json && !anthropic) {
            throw new ProxyException(415, ErrorType.INVALID_REQUEST, "send the body as Content-Type:"
                    + " application/json (or with an anthropic-version header); this gateway takes no "
                    + (type == null ? "body without a content type" : type.split(";", 2)[0].strip() + " body"),
                    Map.of());
        }
    }

    /**
     * The whole body, refused with 413 {@code request_too_large} past {@code maxBytes}: by its
     * declared length before reading, or while reading a body of undeclared length.
     *
     * @throws ClientGoneException when the client's connection fails while sending
     */
    static byte[] body(HttpServletRequest clientToProxyRequest, long maxBytes) {
        return body(clientToProxyRequest, maxBytes, "MAX_REQUEST_BYTES");
    }

    /** {@link #body(HttpServletRequest, long)} under another limit, {@code limit} naming it. */
    static byte[] body(HttpServletRequest clientToProxyRequest, long maxBytes, String limit) {
        refuseDeclaredOverLimit(clientToProxyRequest, maxBytes, limit);
        try (InputStream in = clientToProxyRequest.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
            if (body.length > maxBytes) {
                throw tooLarge(maxBytes, limit);
            }
            return body;
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    /** 413 {@code request_too_large} for a body whose declared length is past {@code maxBytes}, before reading it. */
    static void refuseDeclaredOverLimit(HttpServletRequest clientToProxyRequest, long maxBytes) {
        refuseDeclaredOverLimit(clientToProxyRequest, maxBytes, "MAX_REQUEST_BYTES");
    }

    /** {@link #refuseDeclaredOverLimit(HttpServletRequest, long)} under another limit, {@code limit} naming it. */
    static void refuseDeclaredOverLimit(HttpServletRequest clientToProxyRequest, long maxBytes, String limit) {
        if (clientToProxyRequest.getContentLengthLong() > maxBytes) {
            throw tooLarge(maxBytes, limit);
        }
    }

    static ProxyException tooLarge(long maxBytes) {
        return tooLarge(maxBytes, "MAX_REQUEST_BYTES");
    }

    /** @param limit the setting or the fixed limit {@code maxBytes} is, named in the message */
    static ProxyException tooLarge(long maxBytes, String limit) {
        return new ProxyException(ErrorType.REQUEST_TOO_LARGE, "request body is larger than this gateway's limit of "
                + maxBytes + " bytes (" + limit + ")");
    }
}
