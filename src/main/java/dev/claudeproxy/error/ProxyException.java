package dev.claudeproxy.error;

import java.util.Map;

/**
 * A failure the client is told about in Anthropic form: an HTTP status, an {@link ErrorType} and a
 * message that never holds a key or a full upstream URL. {@code headers} are extra response
 * headers (for example {@code retry-after}), sent only while the response is not committed.
 */
public final class ProxyException extends RuntimeException {

    private final int status;
    private final ErrorType type;
    private final Map<String, String> headers;

    public ProxyException(int status, ErrorType type, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.headers = Map.copyOf(headers);
    }

    public ProxyException(ErrorType type, String message) {
        this(type.status(), type, message, Map.of());
    }

    public static ProxyException invalidRequest(String message) {
        return new ProxyException(ErrorType.INVALID_REQUEST, message);
    }

    /** The same failure told in other words (a credential taken out, advice added). */
    public ProxyException withMessage(String message) {
        return new ProxyException(status, type, message, headers);
    }

    public int status() {
        return status;
    }

    public ErrorType type() {
        return type;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
