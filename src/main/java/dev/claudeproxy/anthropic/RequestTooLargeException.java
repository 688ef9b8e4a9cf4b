package dev.claudeproxy.anthropic;

/** A request body that would become more than this gateway takes once parsed: 413 {@code request_too_large}. */
public final class RequestTooLargeException extends RuntimeException {

    public RequestTooLargeException(String message) {
        super(message, null, false, false);
    }
}
