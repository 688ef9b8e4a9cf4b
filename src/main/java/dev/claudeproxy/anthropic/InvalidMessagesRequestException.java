package dev.claudeproxy.anthropic;

/** A request body that is not a valid Messages API request; the message names the offending field. */
public final class InvalidMessagesRequestException extends RuntimeException {

    public InvalidMessagesRequestException(String message) {
        super(message, null, false, false);
    }
}
