package dev.claudeproxy.route;

/** A request path that names no endpoint or no valid upstream; the message shows the expected form. */
public final class RouteNotFoundException extends RuntimeException {

    public RouteNotFoundException(String message) {
        super(message + ". Expected " + PathParser.FORM, null, false, false);
    }
}
