package dev.claudeproxy.upstream;

/** The upstream gave no HTTP answer, and why. */
public final class UpstreamFailure extends Exception {

    /** Why no answer came. */
    public enum Kind {
        /** No connection: refused, reset, unknown host, or connecting timed out. Worth another try. */
        UNREACHABLE,
        /** Connected, but no answer head within the first-byte deadline. */
        TIMEOUT,
        /** The address policy refused every address the host resolves to. */
        REFUSED,
        /** A TLS connection was asked for, and the upstream answered in plain HTTP: it is named with the wrong scheme. */
        PLAIN_HTTP,
        /** The call was cancelled (the client left, or the gateway is stopping). */
        CANCELLED
    }

    private final Kind kind;

    public UpstreamFailure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
