package dev.claudeproxy.bench;

import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.glassfish.jersey.apache5.connector.Apache5ConnectorProvider;
import org.glassfish.jersey.client.ClientConfig;
import org.glassfish.jersey.jetty.connector.JettyConnectorProvider;

/**
 * Chooses the upstream HTTP client by measurement (issue 14; the design card asks for Jersey in
 * every such run): each candidate POSTs a converted-size JSON body to a static nginx fake upstream
 * and reads the whole answer (a JSON completion, or a 50-chunk stream) as the gateway does, in
 * interleaved rounds at the same concurrency, in one JVM. Reported per candidate: CPU time of the
 * process per request (the client's cost: the load is the same for all), requests per second,
 * and latency percentiles. Run by {@code bench/clients.sh}, which starts nginx.
 *
 * <pre>java ClientBench &lt;h1 base URL&gt; &lt;h2 TLS base URL&gt; &lt;seconds per cell&gt; &lt;rounds&gt; &lt;concurrency,...&gt;</pre>
 */
public final class ClientBench {

    /** One client under test: POST {@code body}, read the whole answer, return its length. */
    interface Candidate extends AutoCloseable {
        long call(URI uri, byte[] body) throws Exception;

        /** Whether it speaks HTTP/2 to a TLS upstream that offers it. */
        boolean http2();
    }

    public static void main(String[] args) throws Exception {
        String plain = args[0];
        String tls = args[1];
        int seconds = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        int[] concurrencies = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
        byte[] body = requestBody();
        Map<String, Supplier<Candidate>> candidates = new LinkedHashMap<>();
        // ONLY=name,name runs a subset; CELLS=h1 JSON,h1 stream,h2 TLS stream too.
        List<String> only = System.getenv("ONLY") == null ? null : List.of(System.getenv("ONLY").split(","));
        List<String> onlyCells = System.getenv("CELLS") == null ? null : List.of(System.getenv("CELLS").split(","));
        candidates.put("jdk-httpclient", Jdk::new);
        candidates.put("jetty-client-12", Jetty::new);
        candidates.put("hc5-classic", Hc5Classic::new);
        candidates.put("hc5-classic+reader", Hc5ClassicWithReader::new);
        candidates.put("hc5-async", Hc5Async::new);
        candidates.put("jersey-apache5", () -> new Jersey(new Apache5ConnectorProvider(), "apache5"));
        candidates.put("jersey-jetty", () -> new Jersey(new JettyConnectorProvider(), "jetty"));
        String[][] cells = {{"h1 JSON", plain + "/json/v1/chat/completions"},
            {"h1 stream", plain + "/sse50/v1/chat/completions"},
            {"h2 TLS stream", tls + "/sse50/v1/chat/completions"}};
        System.out.printf(Locale.ROOT, "java %s, %d cores; %d s a cell, %d interleaved rounds; callers on %s%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), seconds, rounds,
                virtualThreads() != null ? "virtual threads" : "platform threads");
        Map<String, Candidate> open = new LinkedHashMap<>();
        for (Map.Entry<String, Supplier<Candidate>> entry : candidates.entrySet()) {
            if (only == null || only.contains(entry.getKey())) {
                open.put(entry.getKey(), entry.getValue().get());
            }
        }
        System.out.println("| upstream | conc. | client | CPU µs/request | requests/s | p50 ms | p99 ms | HTTP/2 | failed calls |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String[] cell : cells) {
            if (onlyCells != null && !onlyCells.contains(cell[0])) {
                continue;
            }
            URI uri = URI.create(cell[1]);
            for (int concurrency : concurrencies) {
                Map<String, List<Result>> results = new LinkedHashMap<>();
                for (Map.Entry<String, Candidate> entry : open.entrySet()) {
                    run(entry.getValue(), uri, body, concurrency, 2); // warm-up
                    results.put(entry.getKey(), new ArrayList<>());
                }
                for (int round = 0; round < rounds; round++) {
                    for (Map.Entry<String, Candidate> entry : open.entrySet()) {
                        results.get(entry.getKey()).add(run(entry.getValue(), uri, body, concurrency, seconds));
                    }
                }
                for (Map.Entry<String, List<Result>> entry : results.entrySet()) {
                    Result median = Result.median(entry.getValue());
                    int failed = entry.getValue().stream().mapToInt(Result::errors).sum();
                    System.out.printf(Locale.ROOT, "| %s | %d | %s | %.1f | %.0f | %.3f | %.3f | %s | %d |%n", cell[0],
                            concurrency, entry.getKey(), median.cpuMicrosPerCall, median.callsPerSecond, median.p50Millis,
                            median.p99Millis, cell[0].startsWith("h2") ? (open.get(entry.getKey()).http2() ? "yes" : "no") : "-",
                            failed);
                }
            }
        }
        for (Candidate candidate : open.values()) {
            candidate.close();
        }
        System.exit(0);
    }

    /** What the gateway sends for a short Claude Code turn: about 2 KiB of chat completion request. */
    private static byte[] requestBody() {
        String text = "Explain the build failure in the log below and propose a fix. ".repeat(24);
        return ("{\"model\":\"fake\",\"max_tokens\":1024,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"system\",\"content\":\"You are a coding assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"" + text + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    record Result(double cpuMicrosPerCall, double callsPerSecond, double p50Millis, double p99Millis, int errors) {
        static Result median(List<Result> results) {
            List<Result> sorted = new ArrayList<>(results);
            sorted.sort((a, b) -> Double.compare(a.cpuMicrosPerCall, b.cpuMicrosPerCall));
            return sorted.get(sorted.size() / 2);
        }
    }

    static ThreadFactory virtualThreads() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** {@code concurrency} callers, each calling in a loop for {@code seconds}. */
    private static Result run(Candidate candidate, URI uri, byte[] body, int concurrency, int seconds) throws Exception {
        ThreadFactory threads = virtualThreads();
        ExecutorService callers = threads != null ? Executors.newFixedThreadPool(concurrency, threads)
                : Executors.newFixedThreadPool(concurrency);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<CompletableFuture<long[]>> loops = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger errors = new java.util.concurrent.atomic.AtomicInteger();
        long cpuBefore = os.getProcessCpuTime();
        long started = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            loops.add(CompletableFuture.supplyAsync(() -> {
                long[] latencies = new long[1 << 20];
                int n = 0;
                while (System.nanoTime() < end && n < latencies.length) {
                    long t0 = System.nanoTime();
                    try {
                        if (candidate.call(uri, body) <= 0) {
                            throw new IllegalStateException("empty answer");
                        }
                        latencies[n++] = System.nanoTime() - t0;
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        if (errors.get() <= 3) {
                            e.printStackTrace();
                        }
                    }
                }
                return Arrays.copyOf(latencies, n);
            }, callers));
        }
        List<long[]> all = new ArrayList<>();
        for (CompletableFuture<long[]> loop : loops) {
            all.add(loop.get());
        }
        long elapsed = System.nanoTime() - started;
        long cpu = os.getProcessCpuTime() - cpuBefore;
        callers.shutdown();
        long[] latencies = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        int calls = latencies.length;
        if (calls == 0) {
            return new Result(Double.NaN, 0, Double.NaN, Double.NaN, errors.get());
        }
        return new Result(cpu / 1000.0 / calls, calls / (elapsed / 1e9), latencies[calls / 2] / 1e6,
                latencies[Math.min(calls - 1, (int) (calls * 0.99))] / 1e6, errors.get());
    }

    /** Trusts the bench's self-signed fake upstream. */
    static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static long drain(InputStream in) throws java.io.IOException {
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            total += n;
        }
        return total;
    }

    /** Today's client: java.net.http, blocking send, the body as an InputStream. */
    static final class Jdk implements Candidate {
        private final HttpClient client;

        Jdk() {
            System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trustAll())
                    .connectTimeout(Duration.ofSeconds(10)).build();
        }

        @Override
        public long call(URI uri, byte[] body) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (uri.getScheme().equals("http")) {
                request.version(HttpClient.Version.HTTP_1_1);
            }
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                return drain(in);
            }
        }

        @Override
        public boolean http2() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Jetty's HttpClient 12: HTTP/1.1 and HTTP/2 (chosen by ALPN), the body streamed to the caller. */
    static final class Jetty implements Candidate {
        private final org.eclipse.jetty.client.HttpClient client;

        Jetty() {
            try {
                ClientConnector connector = new ClientConnector();
                SslContextFactory.Client tls = new SslContextFactory.Client(true);
                tls.setEndpointIdentificationAlgorithm(null);
                connector.setSslContextFactory(tls);
                HTTP2Client http2 = new HTTP2Client(connector);
                client = new org.eclipse.jetty.client.HttpClient(new HttpClientTransportDynamic(connector,
                        HttpClientConnectionFactory.HTTP11, new ClientConnectionFactoryOverHTTP2.HTTP2(http2)));
                client.setMaxConnectionsPerDestination(1000);
                client.setFollowRedirects(false);
                client.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long call(URI uri, byte[] body) throws Exception {
            InputStreamResponseListener listener = new InputStreamResponseListener();
            client.newRequest(uri).method(HttpMethod.POST).body(new BytesRequestContent("application/json", body))
                    .send(listener);
            listener.get(30, TimeUnit.SECONDS);
            try (InputStream in = listener.getInputStream()) {
                return drain(in);
            }
        }

        @Override
        public boolean http2() {
            return true;
        }

        @Override
        public void close() throws Exception {
            client.stop();
        }
    }

    /** Apache HttpClient 5, classic blocking API (HTTP/1.1 only), on the caller's thread. */
    static final class Hc5Classic implements Candidate {
        final CloseableHttpClient client;

        Hc5Classic() {
            client = HttpClients.custom().disableRedirectHandling().disableAutomaticRetries()
                    .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnTotal(1000)
                            .setMaxConnPerRoute(1000)
                            .setTlsSocketStrategy(new DefaultClientTlsStrategy(trustAll(), NoopHostnameVerifier.INSTANCE))
                            .build()).build();
        }

        @Override
        public long call(URI uri, byte[] body) throws Exception {
            HttpPost post = new HttpPost(uri);
            post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
            return client.execute(post, response -> {
                try (InputStream in = response.getEntity().getContent()) {
                    return drain(in);
                }
            });
        }

        @Override
        public boolean http2() {
            return false;
        }

        @Override
        public void close() throws Exception {
            client.close();
        }
    }

    /**
     * Apache HttpClient 5 classic, as a gateway with keep-alive pings must use it: a reader thread
     * per answer reads the body into a queue, and the caller waits on the queue with a deadline
     * (it could write a ping when the deadline passes). Measures what the hand-off costs.
     */
    static final class Hc5ClassicWithReader implements Candidate {
        private static final byte[] END = new byte[0];
        private final Hc5Classic classic = new Hc5Classic();
        private final ExecutorService platformReaders = Executors.newCachedThreadPool();
        private final java.util.concurrent.Executor readers = virtualThreads() != null
                ? task -> virtualThreads().newThread(task).start() : platformReaders;

        @Override
        public long call(URI uri, byte[] body) throws Exception {
            HttpPost post = new HttpPost(uri);
            post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
            org.apache.hc.core5.http.ClassicHttpResponse response = classic.client.executeOpen(null, post, null);
            java.util.concurrent.ArrayBlockingQueue<byte[]> queue = new java.util.concurrent.ArrayBlockingQueue<>(16);
            InputStream in = response.getEntity().getContent();
            readers.execute(() -> {
                byte[] buffer = new byte[8192];
                try {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        queue.put(Arrays.copyOf(buffer, n));
                    }
                    queue.put(END);
                } catch (Exception e) {
                    queue.offer(END);
                }
            });
            long total = 0;
            for (byte[] piece = queue.poll(15, TimeUnit.SECONDS); piece != END; piece = queue.poll(15, TimeUnit.SECONDS)) {
                if (piece == null) {
                    throw new IllegalStateException("silent");
                }
                total += piece.length;
            }
            response.close();
            return total;
        }

        @Override
        public boolean http2() {
            return false;
        }

        @Override
        public void close() throws Exception {
            platformReaders.shutdownNow();
            classic.close();
        }
    }

    /** Apache HttpClient 5, async API: HTTP/2 by ALPN, the body pushed to a consumer. */
    static final class Hc5Async implements Candidate {
        private final CloseableHttpAsyncClient client;

        Hc5Async() {
            client = HttpAsyncClients.custom().disableRedirectHandling().disableAutomaticRetries()
                    .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create().setMaxConnTotal(1000)
                            .setMaxConnPerRoute(1000)
                            .setTlsStrategy(new DefaultClientTlsStrategy(trustAll(), NoopHostnameVerifier.INSTANCE))
                            .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.NEGOTIATE).build())
                            .build()).build();
            client.start();
        }

        @Override
        public long call(URI uri, byte[] body) throws Exception {
            CompletableFuture<Long> done = new CompletableFuture<>();
            client.execute(AsyncRequestBuilder.post(uri).setEntity(AsyncEntityProducers.create(body,
                    ContentType.APPLICATION_JSON)).build(), new AbstractBinResponseConsumer<Long>() {
                        private long total;

                        @Override
                        protected void start(org.apache.hc.core5.http.HttpResponse response, ContentType contentType) {
                        }

                        @Override
                        protected int capacityIncrement() {
                            return 64 * 1024;
                        }

                        @Override
                        protected void data(ByteBuffer data, boolean endOfStream) {
                            total += data.remaining();
                            data.position(data.limit());
                        }

                        @Override
                        protected Long buildResult() {
                            return total;
                        }

                        @Override
                        public void releaseResources() {
                        }
                    }, null, new FutureCallback<Long>() {
                        @Override
                        public void completed(Long result) {
                            done.complete(result);
                        }

                        @Override
                        public void failed(Exception e) {
                            done.completeExceptionally(e);
                        }

                        @Override
                        public void cancelled() {
                            done.cancel(false);
                        }
                    });
            return done.get(30, TimeUnit.SECONDS);
        }

        @Override
        public boolean http2() {
            return true;
        }

        @Override
        public void close() throws Exception {
            client.close();
        }
    }

    /** The design card's Jersey client, with one of its connectors. */
    static final class Jersey implements Candidate {
        private final Client client;
        private final boolean http2;

        Jersey(org.glassfish.jersey.client.spi.ConnectorProvider connector, String name) {
            ClientConfig config = new ClientConfig().connectorProvider(connector);
            client = ClientBuilder.newBuilder().withConfig(config).sslContext(trustAll())
                    .hostnameVerifier((host, session) -> true).build();
            http2 = false;
        }

        @Override
        public long call(URI uri, byte[] body) throws Exception {
            try (Response response = client.target(uri).request().post(Entity.entity(body, "application/json"))) {
                try (InputStream in = response.readEntity(InputStream.class)) {
                    return drain(in);
                }
            }
        }

        @Override
        public boolean http2() {
            return http2;
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
