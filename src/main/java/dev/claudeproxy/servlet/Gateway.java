package dev.claudeproxy.servlet;

import dev.claudeproxy.config.Settings;
import dev.claudeproxy.convert.ThinkingSignatures;
import dev.claudeproxy.route.UpstreamBreaker;
import dev.claudeproxy.route.UpstreamGuard;
import dev.claudeproxy.upstream.UpstreamClient;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every exchange shares, made once by the servlet at start and released at shutdown.
 *
 * @param keepAliveTimer the one timer thread: {@code ping} events on idle streams, the upstream silence watchdog
 * @param guard refuses upstreams a request path may not name
 * @param breaker which server routes just failed, for their fallbacks
 */
record Gateway(Settings settings, UpstreamClient upstream, ScheduledExecutorService keepAliveTimer,
               ThinkingSignatures signatures, UpstreamGuard guard, Telemetry telemetry, UpstreamBreaker breaker) {
}
