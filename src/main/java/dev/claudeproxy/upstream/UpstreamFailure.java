package dev.claudeproxy.upstream;

/** The upstream gave no HTTP answer: it could not be reached, or did not answer in time. */
public final class UpstreamFailure extends Exception {

    /** Why no answer came. */
    public enum Kind { UNREACHABLE, TIMEOUT }

    private final Kind kind;

    public UpstreamFailure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
