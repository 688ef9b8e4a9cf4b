package dev.claudeproxy.call;

/** The exchange was cancelled (its client left) while its upstream call was under way. */
public final class CancelledException extends RuntimeException {

    public CancelledException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
