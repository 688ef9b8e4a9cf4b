package dev.claudeproxy.call;

import dev.claudeproxy.provider.Target;
import dev.claudeproxy.route.Routes.Route;
import dev.claudeproxy.upstream.UpstreamAnswer;

/** An upstream's 2xx answer, its body unread, and the route and conversion that got it. */
public record Answered(Route route, Target target, UpstreamAnswer answer) {
}
