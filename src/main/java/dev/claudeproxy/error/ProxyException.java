package dev.claudeproxy.error;

import java.util.Map;

/**
 * A failure the client is told about in Anthropic form: an HTTP status, an {@link ErrorType} and a
 * message that never holds a key or a full upstream URL. {@code headers} are extra response
 * headers (for example {@code retry-after}), sent only while the response is not committed.
 */
public final class ProxyException extends RuntimeException {

    /** The header that overrides the SDKs' own judgement of whether to retry. */
    public static final String SHOULD_RETRY = "x-should-retry";

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

    /**
     * A failure that would happen again on a retry (an upstream's answer the gateway cannot use,
     * the gateway's own fault): {@code x-should-retry: false} tells the SDKs not to pay for the
     * whole generation again.
     */
    public static ProxyException noRetry(int status, ErrorType type, String message) {
        return new ProxyException(status, type, message, Map.of(SHOULD_RETRY, "false"));
    }

    /** A fault of the gateway's own, which the client sees by its request id only (the log has the rest). */
    public static ProxyException internal(String requestId) {
        return noRetry(500, ErrorType.API, "internal gateway error (request " + requestId + ")");
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
