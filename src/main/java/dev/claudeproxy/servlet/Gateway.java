package dev.claudeproxy.servlet;

import dev.claudeproxy.call.CallPolicy;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.route.UpstreamGuard;
import dev.claudeproxy.upstream.CallClock;
import dev.claudeproxy.upstream.UpstreamClient;

/**
 * What every exchange shares, made once by the servlet at start and released at shutdown.
 *
 * @param calls how a request reaches its upstream: routes, fallbacks, retries
 * @param guard refuses upstreams a request path may not name
 * @param budget the request bytes all exchanges may hold at once
 * @param admission the exchanges that may run at once, and their workers
 * @param bodyDeadlines watches bodies still arriving
 * @param clock the webapp's one clock: every deadline of an exchange, and the bodies' checks
 */
record Gateway(Settings settings, UpstreamClient upstream, CallPolicy calls, UpstreamGuard guard, Telemetry telemetry,
               BodyBudget budget, Admission admission, BodyDeadlines bodyDeadlines, CallClock clock) {
}
