package dev.claudeproxy.servlet;

import java.io.IOException;

/** The client closed its connection; nothing can be told to it any more. */
final class ClientGoneException extends RuntimeException {

    ClientGoneException(IOException cause) {
        super("client went away", cause, false, false);
    }
}
