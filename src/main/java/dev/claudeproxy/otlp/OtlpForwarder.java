package dev.claudeproxy.otlp;

import dev.claudeproxy.config.Secret;
import dev.claudeproxy.otlp.OtlpAttribution.Signal;
import dev.claudeproxy.upstream.CollectorClient;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends attributed exports to the operator's OTLP/HTTP collector, off the request: a client's
 * export is queued and answered at once, and one thread posts the queue in order. The queue is
 * bounded ({@link #MAX_QUEUED} exports, {@link #MAX_QUEUED_BYTES} bytes); past it, and when the
 * collector refuses or cannot be reached, an export is dropped and counted, never retried into a
 * growing backlog: telemetry must never cost the gateway its memory. {@link #close()} posts what
 * is queued (within {@link #DRAIN_MILLIS}) before the webapp stops, then closes its client.
 */
public final class OtlpForwarder implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OtlpForwarder.class.getName());
    static final int MAX_QUEUED = 1_000;
    static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;
    static final long DRAIN_MILLIS = 5_000;

    /** One export, attributed, in the encoding it came in. */
    public record Export(Signal signal, String contentType, byte[] body) {
    }

    /** Where each signal goes: its path under the collector's base, worked out once. */
    private final java.util.Map<Signal, URI> urls = new java.util.EnumMap<>(Signal.class);
    private final Map<String, Secret> headers;
    private final CollectorClient client;
    private final BlockingQueue<Export> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    private volatile boolean closing;

    /**
     * @param collector the collector's OTLP/HTTP base ({@code http://collector:4318}); each signal
     *     goes to its path under it
     * @param headers what every post carries (the collector's own key, say)
     */
    public OtlpForwarder(URI collector, Map<String, Secret> headers) {
        String base = collector.toString().replaceAll("/+$", "");
        for (Signal signal : Signal.values()) {
            urls.put(signal, URI.create(base + signal.path()));
        }
        this.headers = Map.copyOf(headers);
        this.client = new CollectorClient();
        this.sender = new Thread(this::send, "claude-proxy-otlp");
        sender.setDaemon(true);
        sender.start();
    }

    /** @return whether the export was queued; when not, it is dropped and counted */
    public boolean offer(Export export) {
        if (closing) {
            drop("the gateway is stopping");
            return false;
        }
        if (queuedBytes.addAndGet(export.body().length) > MAX_QUEUED_BYTES || !queue.offer(export)) {
            queuedBytes.addAndGet(-export.body().length);
            drop("the queue to the collector is full");
            return false;
        }
        return true;
    }

    /** Exports posted to the collector and accepted by it. */
    public long forwarded() {
        return forwarded.get();
    }

    /** Exports dropped: the queue full, or the collector refusing or out of reach. */
    public long dropped() {
        return dropped.get();
    }

    private void send() {
        while (true) {
            Export export;
            try {
                export = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return; // close() gave up waiting for the rest
            }
            if (export == null) {
                if (closing) {
                    return;
                }
                continue;
            }
            queuedBytes.addAndGet(-export.body().length);
            post(export);
        }
    }

    private void post(Export export) {
        URI url = urls.get(export.signal());
        try {
            int status = client.post(url, export.contentType(), export.body(), headers);
            if (status / 100 == 2) {
                forwarded.incrementAndGet();
            } else {
                drop("the collector answered " + status + " at " + url);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "posting to the collector failed", e);
            drop("the collector could not be reached at " + url + ": " + e.getClass().getSimpleName());
        }
    }

    private void drop(String why) {
        long count = dropped.incrementAndGet();
        if (Long.bitCount(count) == 1) { // the 1st, 2nd, 4th, 8th...: a collector that stays down does not flood the log
            LOG.warning("Claude Code telemetry dropped (" + count + " so far): " + why);
        }
    }

    /** Stops taking exports and posts those queued, waiting at most {@link #DRAIN_MILLIS}. */
    @Override
    public void close() {
        closing = true;
        try {
            sender.join(DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            sender.interrupt();
            LOG.warning(queue.size() + " Claude Code telemetry exports were still queued at shutdown and are dropped");
        }
        client.close();
    }
}
