package dev.claudeproxy.route;

import java.util.Optional;

/**
 * A request path split into the endpoint it ends with and the route before it (absent for a bare
 * endpoint).
 *
 * @param modelId the model id of a {@link Endpoint#MODEL_INFO} path, else empty
 */
public record ParsedPath(Endpoint endpoint, Optional<PathRoute> route, Optional<String> modelId) {
}
