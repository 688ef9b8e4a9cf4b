package dev.claudeproxy.upstream;

import dev.claudeproxy.config.Secret;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Calls upstream Chat Completions endpoints through one JDK {@link HttpClient} for the whole
 * application, closed at shutdown. The client pools connections per upstream without a cap (a
 * gateway with 64 sessions on one provider keeps 64 warm connections, not five), and speaks
 * HTTP/2 to every {@code https} upstream that offers it through ALPN: one connection then carries
 * many streams. Plain {@code http} upstreams (Ollama, vLLM on a LAN) get HTTP/1.1, never an
 * {@code h2c} upgrade that some servers mishandle. When an upstream's HTTP/2 connection is at its
 * stream limit, the request goes over HTTP/1.1 instead of failing.
 *
 * <p>Why the JDK client rather than Jersey's: Jersey's default connector (HttpURLConnection) keeps
 * at most five idle connections per host and has no HTTP/2; its JDK-client connector pins
 * HTTP/1.1 and never closes the client. The JDK client needs no library at all.
 *
 * <p>The read timeout is the longest silence tolerated from an upstream: before its answer's
 * headers, and during each read of its body (slow models may think for minutes before their first
 * token). A body read that waits longer is ended by a watchdog on the given timer, and fails with
 * {@link java.net.SocketTimeoutException}.
 */
public final class UpstreamClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UpstreamClient.class.getName());
    private static final String USER_AGENT = "claude-proxy";
    /** What the JDK client says when an HTTP/2 connection has no free stream. */
    private static final String NO_FREE_STREAM = "too many concurrent streams";

    private final HttpClient client;
    private final ExecutorService executor;
    private final Duration readTimeout;
    private final Set<UpstreamResponse> reading = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> watchdog;

    /**
     * @param threads makes the client's worker threads, so that the application can wait for them at shutdown
     * @param timer runs the silence watchdog
     */
    public UpstreamClient(Duration connectTimeout, Duration readTimeout, ThreadFactory threads,
                          ScheduledExecutorService timer) {
        this.readTimeout = readTimeout;
        // The client's own tasks never block (a blocked read waits in the caller's thread), so a few threads
        // serve any number of streams; a cached pool grew to hundreds under 10,000 HTTP/2 streams.
        int size = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads);
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
        this.client = build(connectTimeout, executor);
        long period = Math.max(100, Math.min(1000, readTimeout.toMillis() / 4));
        this.watchdog = timer.scheduleWithFixedDelay(this::endSilentReads, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Builds the client with the JDK's class loader as the context loader: the client's selector
     * thread inherits it, so a servlet container does not take that thread for one the webapp
     * leaked (on Java 17 it ends only when the client is collected).
     */
    private static HttpClient build(Duration connectTimeout, ExecutorService executor) {
        Thread current = Thread.currentThread();
        ClassLoader webapp = current.getContextClassLoader();
        current.setContextClassLoader(ClassLoader.getPlatformClassLoader());
        try {
            return HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_2)
                    .connectTimeout(connectTimeout)
                    // An upstream redirect must not send the prompt and key to another host.
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(executor)
                    .build();
        } finally {
            current.setContextClassLoader(webapp);
        }
    }

    /**
     * POSTs a JSON body and returns the answer with its body unread, whatever its status.
     *
     * @param key sent, when present, as {@code Authorization: Bearer <key>}, or as the bare value of
     *     another {@code keyHeader} (Azure's {@code api-key})
     * @param stream whether a server-sent event stream is asked for
     * @throws UpstreamFailure when no HTTP answer came
     */
    public UpstreamResponse post(URI uri, Optional<Secret> key, String keyHeader, String json, boolean stream)
            throws UpstreamFailure {
        HttpRequest.Builder proxyToServerRequest = HttpRequest.newBuilder(uri)
                .timeout(readTimeout)
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofString(json));
        key.ifPresent(secret -> proxyToServerRequest.header(keyHeader,
                keyHeader.equals("Authorization") ? "Bearer " + secret.reveal() : secret.reveal()));
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            proxyToServerRequest.version(HttpClient.Version.HTTP_1_1);
        }
        try {
            try {
                return send(proxyToServerRequest.build());
            } catch (IOException e) {
                if (!NO_FREE_STREAM.equals(e.getMessage())) {
                    throw e;
                }
                LOG.fine(() -> "upstream " + uri.getAuthority() + " has no free HTTP/2 stream; using HTTP/1.1");
                return send(proxyToServerRequest.version(HttpClient.Version.HTTP_1_1).build());
            }
        } catch (HttpTimeoutException e) {
            throw new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "upstream " + uri.getAuthority()
                    + " did not answer in time", e);
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "upstream " + uri.getAuthority()
                    + " could not be reached (" + root.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "the call to upstream " + uri.getAuthority()
                    + " was interrupted (the gateway is stopping)", e);
        }
    }

    private UpstreamResponse send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<java.io.InputStream> answer = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        UpstreamResponse response = new UpstreamResponse(answer, reading::remove);
        reading.add(response);
        return response;
    }

    private void endSilentReads() {
        long now = System.nanoTime();
        long limit = readTimeout.toNanos();
        for (UpstreamResponse response : reading) {
            if (response.waitingLongerThan(limit, now)) {
                response.expire();
            }
        }
    }

    @Override
    public void close() {
        watchdog.cancel(false);
        reading.forEach(UpstreamResponse::close);
        // HttpClient can be shut down from Java 21; on Java 17 its selector thread ends when it is collected.
        try {
            Method shutdownNow = HttpClient.class.getMethod("shutdownNow");
            shutdownNow.invoke(client);
            HttpClient.class.getMethod("awaitTermination", Duration.class).invoke(client, Duration.ofSeconds(5));
        } catch (NoSuchMethodException java17) {
            // nothing to call
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "shutting the upstream client down failed", e);
        }
        executor.shutdownNow();
    }
}
