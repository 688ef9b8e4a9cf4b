package dev.claudeproxy.servlet;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the gateway tells operators: one log line per API request (never a key or a prompt) and
 * Prometheus metrics in a registry of this webapp's own (so two deployments in one JVM do not
 * mix). Labels are few and bounded: the route kind, not the upstream host, which request paths
 * choose freely.
 *
 * <p>Exemplars are off: their sampler starts the client library's static scheduler thread, which
 * nothing can stop, and a WAR must leave no thread behind when it is undeployed.
 */
final class Telemetry {

    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private static final Logger LOG = Logger.getLogger("dev.claudeproxy.requests");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final AtomicInteger active = new AtomicInteger();
    private final Object idle = new Object();
    private final Counter requests;
    private final Counter errors;
    private final Counter tokens;
    private final Histogram duration;
    private final Histogram firstByte;

    private final Accounting accounting;
    private final Counter spend;
    private final Counter modelTokens;
    /** The route and model label values seen, bounded: a request path can name any model. */
    private final java.util.Set<String> modelLabels = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final int MAX_MODEL_LABELS = 200;

    /**
     * @param bodiesArriving the request bodies still arriving, for their gauge
     * @param accounting told of each exchange's end, to record it
     */
    Telemetry(IntSupplier bodiesArriving, Accounting accounting) {
        this.accounting = accounting;
        requests = Counter.builder().name("claude_proxy_requests")
                .help("API requests answered, by route kind (path, haiku, sonnet, opus, default, none), stream and status")
                .labelNames("route", "stream", "status").withoutExemplars().register(registry);
        errors = Counter.builder().name("claude_proxy_errors")
                .help("Requests that ended in an Anthropic error, by error type").labelNames("type").withoutExemplars().register(registry);
        tokens = Counter.builder().name("claude_proxy_tokens")
                .help("Tokens reported (or estimated) for answered requests").labelNames("direction").withoutExemplars().register(registry);
        duration = Histogram.builder().name("claude_proxy_request_duration_seconds").unit(Unit.SECONDS)
                .help("Time from request to the end of the answer").labelNames("stream")
                .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600).classicOnly()
                .withoutExemplars().register(registry);
        firstByte = Histogram.builder().name("claude_proxy_time_to_first_byte_seconds").unit(Unit.SECONDS)
                .help("Time from request to the first byte of the answer").labelNames("stream")
                .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60).classicOnly()
                .withoutExemplars().register(registry);
        spend = Counter.builder().name("claude_proxy_spend")
                .help("Spend by route kind and upstream model, in the policy's currency (its price table); past "
                        + MAX_MODEL_LABELS + " models, 'other'").labelNames("route", "model").withoutExemplars().register(registry);
        modelTokens = Counter.builder().name("claude_proxy_model_tokens")
                .help("Tokens by route kind, upstream model and direction (input, cached, output)")
                .labelNames("route", "model", "direction").withoutExemplars().register(registry);
        accounting.ledger().ifPresent(ledger -> {
            GaugeWithCallback.builder().name("claude_proxy_ledger_backlog")
                    .help("Usage ledger entries waiting to be written to its database")
                    .callback(callback -> callback.call(ledger.backlog())).register(registry);
            GaugeWithCallback.builder().name("claude_proxy_ledger_dropped")
                    .help("Usage ledger entries dropped since the start: the backlog was full")
                    .callback(callback -> callback.call(ledger.dropped())).register(registry);
        });
        GaugeWithCallback.builder().name("claude_proxy_active_exchanges")
                .help("Messages and count_tokens requests in progress, from their body's first byte (open streams among them)")
                .callback(callback -> callback.call(active.get())).register(registry);
        GaugeWithCallback.builder().name("claude_proxy_request_bodies_arriving")
                .help("Request bodies still arriving (a crowd of slow senders shows here before any exchange starts)")
                .callback(callback -> callback.call(bodiesArriving.getAsInt())).register(registry);
    }

    void started() {
        active.incrementAndGet();
    }

    /** One API request answered: its log line and its metrics. */
    void finished(Trace trace, int status) {
        long durationNanos = trace.durationNanos();
        // The source is given, so that formatters that print it (Tomcat's do) need not walk the stack per request.
        LOG.logp(Level.INFO, Telemetry.class.getName(), "finished", () -> trace.logLine(status, durationNanos));
        String stream = Boolean.toString(trace.stream);
        requests.labelValues(trace.routeKind, stream, Integer.toString(status)).inc();
        if (trace.errorType != null) {
            errors.labelValues(trace.errorType).inc();
        }
        if (trace.inputTokens > 0 || trace.outputTokens > 0) {
            tokens.labelValues("input").inc(trace.inputTokens);
            tokens.labelValues("output").inc(trace.outputTokens);
        }
        if (trace.endpoint.equals("messages") && !trace.model.equals("-")) {
            String model = modelLabel(trace.model);
            if (trace.cost > 0) {
                spend.labelValues(trace.routeKind, model).inc(trace.cost / 1e6);
            }
            modelTokens.labelValues(trace.routeKind, model, "input").inc(trace.inputTokens);
            modelTokens.labelValues(trace.routeKind, model, "cached").inc(trace.cachedTokens);
            modelTokens.labelValues(trace.routeKind, model, "output").inc(trace.outputTokens);
        }
        duration.labelValues(stream).observe(durationNanos / 1e9);
        if (trace.firstByteNanos >= 0) {
            firstByte.labelValues(stream).observe(trace.firstByteNanos / 1e9);
        }
    }

    /** An exchange has ended: its log line and metrics, and it leaves the active count; once, whichever path ends it. */
    void finish(Trace trace, int status) {
        finish(trace, status, () -> { });
    }

    /**
     * An exchange has ended: recorded (ledger, log line, metrics) and out of the active count
     * before {@code complete} ends the client's answer, so that whoever has the answer (the
     * client, then a scrape or its next request's budget check) sees it counted. Once, whichever
     * path ends it; {@code complete} runs on every call, and even when recording fails (a log
     * handler that throws, a class that cannot be loaded once the process is out of files): a
     * request never completed is a client that hangs.
     */
    void finish(Trace trace, int status, Runnable complete) {
        try {
            if (!trace.ended.getAndSet(true)) {
                try {
                    accounting.ended(trace, status);
                    finished(trace, status);
                } finally {
                    ended();
                }
            }
        } finally {
            complete.run();
        }
    }

    /** An exchange has ended (after {@link #finished}). */
    private void ended() {
        if (active.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    private String modelLabel(String model) {
        if (modelLabels.contains(model) || (modelLabels.size() < MAX_MODEL_LABELS && modelLabels.add(model))) {
            return Trace.clean(model);
        }
        return "other";
    }

    int active() {
        return active.get();
    }

    /** Waits until no exchange is in progress, or the grace period has passed. @return whether all finished */
    boolean awaitIdle(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (idle) {
            while (active.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
        }
        return true;
    }

    void writeMetrics(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), io.prometheus.metrics.config.EscapingScheme.UNDERSCORE_ESCAPING);
    }
}
