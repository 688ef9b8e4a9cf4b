package dev.claudeproxy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway-process side of the load runs: many long streams at once, and a long soak of mixed
 * requests with clients that leave mid-stream. It samples the gateway process (resident memory,
 * threads, open files, upstream connections) from {@code /proc} while it runs, and prints results
 * as {@code key=value} lines for {@code bench/load.sh}.
 *
 * <pre>
 * StreamLoad streams &lt;route-url&gt; &lt;count&gt; &lt;ramp-seconds&gt; &lt;gateway-pid&gt; &lt;deltas-expected&gt;
 * StreamLoad soak &lt;fast-route-base&gt; &lt;slow-route-base&gt; &lt;minutes&gt; &lt;concurrency&gt; &lt;gateway-pid&gt; &lt;fake-upstream-url&gt;
 * </pre>
 * A route URL ends before {@code /v1/messages}; the fast route base (nginx's static answers) before
 * {@code /json/v1/<model>} or {@code /sse50/v1/<model>}; the slow route base before
 * {@code /<chunks>/<intervalMs>/v1/<model>}.
 */
public final class StreamLoad {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(2)).connectTimeout(Duration.ofSeconds(30)).build();

    private StreamLoad() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "streams" -> streams(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Long.parseLong(args[4]), Integer.parseInt(args[5]));
            case "soak" -> soak(args[1], args[2], Double.parseDouble(args[3]), Integer.parseInt(args[4]),
                    Long.parseLong(args[5]), args[6]);
            default -> throw new IllegalArgumentException("mode: streams or soak");
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------- many concurrent streams

    private static void streams(String route, int count, int rampSeconds, long pid, int deltasExpected)
            throws Exception {
        Sampler sampler = new Sampler(pid);
        CountDownLatch done = new CountDownLatch(count);
        AtomicInteger open = new AtomicInteger();
        AtomicInteger complete = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        List<Long> durations = Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService launcher = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long at = (long) rampSeconds * 1_000_000_000L * i / count;
            launcher.schedule(() -> {
                long began = System.nanoTime();
                open.incrementAndGet();
                Events events = new Events();
                HTTP.sendAsync(post(route, true, "stream"), HttpResponse.BodyHandlers.fromLineSubscriber(events))
                        .whenComplete((response, error) -> {
                            open.decrementAndGet();
                            if (error != null) {
                                failed.incrementAndGet();
                                failures.computeIfAbsent(rootMessage(error), k -> new AtomicInteger()).incrementAndGet();
                            } else {
                                if (response.statusCode() == 200 && events.stopped && events.deltas == deltasExpected) {
                                    complete.incrementAndGet();
                                    durations.add(System.nanoTime() - began);
                                } else {
                                    wrong.incrementAndGet();
                                    failures.computeIfAbsent("status " + response.statusCode() + ", " + events.deltas
                                            + " deltas, error event: " + events.error, k -> new AtomicInteger()).incrementAndGet();
                                }
                            }
                            done.countDown();
                        });
            }, at, TimeUnit.NANOSECONDS);
        }
        while (!done.await(10, TimeUnit.SECONDS)) {
            Sample now = sampler.sample();
            System.err.printf("%4ds open %5d complete %5d failed %d wrong %d | gateway rss %d MiB threads %d fds %d%n",
                    (System.nanoTime() - start) / 1_000_000_000L, open.get(), complete.get(), failed.get(), wrong.get(),
                    now.rssKib / 1024, now.threads, now.fds);
        }
        launcher.shutdown();
        sampler.stop();
        List<Long> sorted = new ArrayList<>(durations);
        Collections.sort(sorted);
        print("streams.requested", count);
        print("streams.complete", complete.get());
        print("streams.failed", failed.get());
        print("streams.wrong", wrong.get());
        failures.forEach((why, n) -> System.out.println("# " + n + " x " + why));
        print("streams.duration.p50.s", sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e9);
        print("streams.duration.max.s", sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1e9);
        print("gateway.rss.peak.mib", sampler.peakRssKib / 1024);
        print("gateway.threads.peak", sampler.peakThreads);
        print("gateway.fds.peak", sampler.peakFds);
    }

    /** Reads an Anthropic event stream line by line, counting what matters. */
    private static final class Events implements Flow.Subscriber<String> {
        volatile int deltas;
        volatile boolean stopped;
        volatile String error;
        private Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.equals("event: content_block_delta")) {
                deltas++;
            } else if (line.equals("event: message_stop")) {
                stopped = true;
            } else if (line.startsWith("data: {\"type\":\"error\"")) {
                error = line;
            }
        }

        @Override
        public void onError(Throwable throwable) {
            error = rootMessage(throwable);
        }

        @Override
        public void onComplete() {
            subscription = null;
        }
    }

    // ---------------------------------------------------------------- soak

    private static void soak(String fastBase, String slowBase, double minutes, int concurrency, long pid,
                             String fakeUpstream) throws Exception {
        Sampler sampler = new Sampler(pid);
        long end = System.nanoTime() + (long) (minutes * 60e9);
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong left = new AtomicLong();
        Map<String, Long> closedAt = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> errorKinds = new ConcurrentLinkedQueue<>();
        AtomicInteger dropIds = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            Thread thread = new Thread(() -> {
                for (int i = worker; System.nanoTime() < end; i++) {
                    try {
                        boolean ok = switch (i % 4) {
                            case 0 -> json(fastBase + "/json/v1/fake");
                            case 1 -> fullStream(fastBase + "/sse50/v1/fake", 48);
                            case 2 -> fullStream(slowBase + "/10/10/v1/fake", 10);
                            default -> {
                                String id = Integer.toString(dropIds.incrementAndGet());
                                leaveStream(slowBase + "/1000/10/v1/fake", id, closedAt);
                                left.incrementAndGet();
                                yield true;
                            }
                        };
                        if (!ok) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        if (errorKinds.size() < 10) {
                            errorKinds.add(rootMessage(e));
                        }
                    }
                    requests.incrementAndGet();
                }
            }, "soak-" + w);
            thread.start();
            workers.add(thread);
        }
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        System.out.println("# minute requests errors rss_mib threads fds upstream_conns upstream_open_streams");
        while (workers.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(Math.min(30_000, Math.max(1000, (long) (minutes * 60_000 / 20))));
            Sample now = sampler.sample();
            now.upstreamConnections = upstreamConnections(pid);
            now.upstreamOpen = fakeStat(fakeUpstream, "active");
            now.minute = (System.nanoTime() - start) / 60e9;
            samples.add(now);
            System.out.printf("# %6.1f %8d %6d %7d %7d %5d %14d %21d%n", now.minute, requests.get(), errors.get(),
                    now.rssKib / 1024, now.threads, now.fds, now.upstreamConnections, now.upstreamOpen);
        }
        sampler.stop();
        // After the last request: let the gateway settle, then the end state.
        Thread.sleep(3000);
        Sample last = sampler.sample();
        last.upstreamConnections = upstreamConnections(pid);
        last.upstreamOpen = fakeStat(fakeUpstream, "active");
        Sample warm = samples.get(Math.min(samples.size() - 1, Math.max(0, samples.size() / 10)));
        print("soak.minutes", minutes);
        print("soak.requests", requests.get());
        print("soak.errors", errors.get());
        errorKinds.forEach(kind -> System.out.println("# error: " + kind));
        print("soak.client_left_mid_stream", left.get());
        print("soak.rss.warm.mib", warm.rssKib / 1024);
        print("soak.rss.end.mib", last.rssKib / 1024);
        print("soak.rss.max.mib", samples.stream().mapToLong(s -> s.rssKib).max().orElse(0) / 1024);
        print("soak.threads.warm", warm.threads);
        print("soak.threads.end", last.threads);
        print("soak.fds.warm", warm.fds);
        print("soak.fds.end", last.fds);
        print("soak.upstream_conns.warm", warm.upstreamConnections);
        print("soak.upstream_conns.end", last.upstreamConnections);
        print("soak.upstream_open_streams.end", last.upstreamOpen);
        disconnectLatencies(fakeUpstream, closedAt);
    }

    private static boolean json(String route) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(post(route, false, "json"), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 && response.body().contains("\"type\":\"message\"");
    }

    private static boolean fullStream(String route, int deltasExpected) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(post(route, true, "stream"), HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        int deltas = body.split("event: content_block_delta", -1).length - 1;
        return response.statusCode() == 200 && body.endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
                && (deltasExpected < 0 || deltas == deltasExpected);
    }

    /** Reads three deltas of a long stream, then closes the connection, noting when. */
    private static void leaveStream(String route, String id, Map<String, Long> closedAt)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HTTP.send(post(route, true, "drop-" + id),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            int deltas = 0;
            for (String line = lines.readLine(); line != null && deltas < 3; line = lines.readLine()) {
                if (line.equals("event: content_block_delta")) {
                    deltas++;
                }
            }
            closedAt.put(id, System.currentTimeMillis());
        }
    }

    /** From client close to the fake upstream seeing its stream reset, over every stream a client left. */
    private static void disconnectLatencies(String fakeUpstream, Map<String, Long> closedAt) throws Exception {
        String drops = HTTP.send(HttpRequest.newBuilder(URI.create(fakeUpstream + "/drops")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        List<Long> latencies = new ArrayList<>();
        for (String line : drops.split("\n")) {
            String[] parts = line.split(" ");
            Long closed = parts.length == 2 ? closedAt.get(parts[0]) : null;
            if (closed != null) {
                latencies.add(Long.parseLong(parts[1]) - closed);
            }
        }
        Collections.sort(latencies);
        print("disconnect.streams_left", closedAt.size());
        print("disconnect.upstream_reset_seen", latencies.size());
        if (!latencies.isEmpty()) {
            print("disconnect.to_upstream_reset.p50.ms", latencies.get(latencies.size() / 2));
            print("disconnect.to_upstream_reset.p99.ms", latencies.get((int) (latencies.size() * 0.99)));
            print("disconnect.to_upstream_reset.max.ms", latencies.get(latencies.size() - 1));
        }
    }

    private static long fakeStat(String fakeUpstream, String name) {
        try {
            String stats = HTTP.send(HttpRequest.newBuilder(URI.create(fakeUpstream + "/stats")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : stats.split("\n")) {
                if (line.startsWith(name + " ")) {
                    return Long.parseLong(line.substring(name.length() + 1).trim());
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The gateway process's established TCP connections to the fake upstreams (ports 18081 and 18443, as bench/load.sh sets them). */
    private static long upstreamConnections(long pid) {
        try {
            Process ss = new ProcessBuilder("ss", "-Htnp", "state", "established").redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor();
            long count = 0;
            for (String line : out.split("\n")) {
                // Columns: Recv-Q Send-Q Local Peer Process; the gateway's upstream side is where it is the peer of 18081/18443.
                String[] columns = line.trim().split("\\s+");
                if (columns.length >= 5 && line.contains("pid=" + pid + ",")
                        && (columns[3].endsWith(":18081") || columns[3].endsWith(":18443"))) {
                    count++;
                }
            }
            return count;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- shared

    private static HttpRequest post(String route, boolean stream, String prompt) {
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        return HttpRequest.newBuilder(URI.create(route + "/v1/messages"))
                .header("content-type", "application/json").header("x-api-key", "sk-bench")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static void print(String key, Object value) {
        System.out.println(key + "=" + value);
    }

    /** One reading of the gateway process. */
    private static final class Sample {
        long rssKib;
        long threads;
        long fds;
        long upstreamConnections;
        long upstreamOpen;
        double minute;
    }

    /** Reads the gateway process from /proc every second in the background, keeping the peaks. */
    private static final class Sampler {
        private final long pid;
        private final Thread thread;
        private volatile boolean running = true;
        volatile long peakRssKib;
        volatile long peakThreads;
        volatile long peakFds;

        Sampler(long pid) {
            this.pid = pid;
            this.thread = new Thread(() -> {
                while (running) {
                    sample();
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "sampler");
            thread.setDaemon(true);
            thread.start();
        }

        synchronized Sample sample() {
            Sample sample = new Sample();
            try {
                Map<String, String> status = new HashMap<>();
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        status.put(line.substring(0, colon), line.substring(colon + 1).trim());
                    }
                }
                sample.rssKib = Long.parseLong(status.getOrDefault("VmRSS", "0 kB").split(" ")[0]);
                sample.threads = Long.parseLong(status.getOrDefault("Threads", "0"));
                try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                    sample.fds = fds.count();
                }
            } catch (IOException e) {
                return sample;
            }
            peakRssKib = Math.max(peakRssKib, sample.rssKib);
            peakThreads = Math.max(peakThreads, sample.threads);
            peakFds = Math.max(peakFds, sample.fds);
            return sample;
        }

        void stop() {
            running = false;
            thread.interrupt();
        }
    }
}
