package dev.claudeproxy;

import java.util.Map;

/** Lets tests in other packages start the local run as {@code ./mvnw test-compile exec:java} does. */
public final class DevServerAccess {

    private DevServerAccess() {
    }

    /** @param environment stands in for the process environment; no {@code .env} is read */
    public static EmbeddedGateway start(Map<String, String> environment) {
        return DevServer.start(environment, Map.of());
    }
}
