package dev.claudeproxy.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The attacks of issue 11, part A, and issue 24 (bodies of many tiny values), against the WAR on a real Tomcat with the kit's JVM options
 * ({@code -Xmx512m -XX:+ExitOnOutOfMemoryError}) and default settings: each request or upstream
 * behaviour that used to stop the JVM, one after another, with what the client got, how long it
 * took, whether the gateway still answers its health check, and how much the gateway grew
 * (resident memory, and heap in use after a full collection). Run by {@code bench/hostile.sh}.
 *
 * <pre>HostileLoad &lt;gateway base URL&gt; &lt;gateway pid&gt; &lt;fake upstream port&gt;</pre>
 */
public final class HostileLoad {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    /** USER_HZ: 100 on every Linux this runs on. */
    private static final int CLOCK_TICKS = 100;

    private HostileLoad() {
    }

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        long pid = Long.parseLong(args[1]);
        int upstreamPort = Integer.parseInt(args[2]);
        HttpServer upstream = fakeUpstream(upstreamPort);
        String route = gateway + "/http/127.0.0.1:" + upstreamPort;
        System.out.println("| attack | the client got | in s | gateway CPU s | gateway alive | resident MiB before → after "
                + "| heap in use after GC, MiB |");
        System.out.println("|---|---|---|---|---|---|---|");
        attack("A1 schema: a $defs entry that refers to itself 8 times (Gemini profile)", pid, gateway,
                () -> post(route + "/ok/v1/gemini-2.5-flash/v1/messages", selfReferencingSchema()));
        attack("A1 schema: definitions fanning out 8 × 8 levels deep", pid, gateway,
                () -> post(route + "/ok/v1/gemini-2.5-flash/v1/messages", fanOutSchema()));
        attack("A2 count_tokens: one 4 MB word", pid, gateway,
                () -> post(route + "/ok/v1/m/v1/messages/count_tokens", messages("a".repeat(4_000_000), false)));
        attack("A2 count_tokens: four 1.5 MB words at once", pid, gateway, () -> {
            List<CompletableFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> post(route + "/ok/v1/m/v1/messages/count_tokens",
                        messages("b".repeat(1_500_000), false))));
            }
            return String.join(", ", calls.stream().map(CompletableFuture::join).toList());
        });
        attack("A2 a 4 MB word streamed without usage", pid, gateway,
                () -> post(route + "/word/v1/m/v1/messages", messages("hi", true)));
        for (String endless : List.of("line", "data", "arguments", "text")) {
            attack("A3 upstream: endless " + endless, pid, gateway,
                    () -> post(route + "/endless-" + endless + "/v1/m/v1/messages", messages("hi", true)));
        }
        // Before A4, whose third body is held until the silent upstream's exchange ends.
        manyValues(route, pid, gateway);
        attack("A4 three 30 MB bodies at once to a silent upstream", pid, gateway, () -> {
            List<CompletableFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> postWithin(route + "/silent/v1/m/v1/messages",
                        messages("c".repeat(30_000_000), false), Duration.ofSeconds(15))));
            }
            return String.join(", ", calls.stream().map(CompletableFuture::join).toList());
        });
        upstream.stop(0);
        System.exit(0);
    }

    /** Issue 24: bodies under the byte limits whose millions of tiny values would each become an object. */
    private static void manyValues(String route, long pid, String gateway) throws Exception {
        String messages = route + "/ok/v1/m/v1/messages";
        String block = "{\"type\":\"text\",\"text\":\"a\"}";
        attack("24 one message of 1,000,000 one-character text blocks (27 MB)", pid, gateway,
                () -> post(messages, oneMessageOf(block, 1_000_000)));
        attack("24 the same to count_tokens", pid, gateway,
                () -> post(messages + "/count_tokens", oneMessageOf(block, 1_000_000)));
        attack("24 three of 300,000 blocks (8 MB each) at once", pid, gateway, () -> {
            String body = oneMessageOf(block, 300_000);
            List<CompletableFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> post(messages, body)));
            }
            return String.join(", ", calls.stream().map(CompletableFuture::join).toList());
        });
        attack("24 5,000,000 one-character stop_sequences (20 MB)", pid, gateway, () -> post(messages,
                repeated("{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"stop_sequences\":[", "\"a\"", 5_000_000, "]}")));
        attack("24 a tool_use input of 15,000,000 zeros (30 MB)", pid, gateway, () -> post(messages,
                repeated("{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\","
                        + "\"input\":{\"z\":[", "0", 15_000_000, "]}}]},{\"role\":\"user\",\"content\":[{\"type\":"
                        + "\"tool_result\",\"tool_use_id\":\"t\",\"content\":\"ok\"}]}]}")));
        attack("24 1,000,001 one-character messages (30 MB)", pid, gateway, () -> post(messages,
                repeated("{\"model\":\"m\",\"max_tokens\":100,\"messages\":[", "{\"role\":\"user\",\"content\":\"a\"}",
                        1_000_001, "]}")));
        attack("24 1,000,000 tiny tool definitions (32 MB)", pid, gateway, () -> post(messages,
                repeated("{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"tools\":[", "{\"name\":\"t\",\"input_schema\":{}}", 1_000_000, "]}")));
        attack("24 750,000 tool_result blocks (31 MB)", pid, gateway, () -> post(messages,
                oneMessageOf("{\"type\":\"tool_result\",\"tool_use_id\":\"t\"}", 750_000)));
        attack("24 accepted: one message of 99,000 blocks (2.7 MB), converted and sent", pid, gateway,
                () -> post(messages, oneMessageOf(block, 99_000)));
    }

    private static String oneMessageOf(String block, int count) {
        return repeated("{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":[", block,
                count, "]}]}");
    }

    private static String repeated(String head, String item, int count, String tail) {
        StringBuilder body = new StringBuilder(head.length() + (item.length() + 1) * count + tail.length()).append(head);
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append(item);
        }
        return body.append(tail).toString();
    }

    private static void attack(String name, long pid, String gateway, Supplier<String> attack) throws Exception {
        long rssBefore = rssMiB(pid);
        long cpuBefore = cpuTicks(pid);
        long start = System.nanoTime();
        String outcome;
        try {
            outcome = attack.get();
        } catch (RuntimeException e) {
            outcome = "client failure: " + e;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && healthy(gateway);
        double cpu = alive ? (cpuTicks(pid) - cpuBefore) / (double) CLOCK_TICKS : -1;
        long rssAfter = alive ? rssMiB(pid) : -1;
        long heap = alive ? heapAfterGcMiB(pid) : -1;
        System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %s | %d → %d | %d |%n", name, outcome, seconds, cpu,
                alive ? "yes" : "**no**", rssBefore, rssAfter, heap);
    }

    private static String post(String url, String body) {
        return postWithin(url, body, Duration.ofSeconds(120));
    }

    /** What the client saw: the status and the error type (the last event's, for a stream). */
    private static String postWithin(String url, String body, Duration limit) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(limit)
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher type = Pattern.compile("\"type\":\"([a-z_]+_error|request_too_large)\"").matcher(response.body());
            String error = null;
            while (type.find()) {
                error = type.group(1);
            }
            return response.statusCode() + (error == null ? "" : " " + error);
        } catch (java.net.http.HttpTimeoutException e) {
            return "no answer within " + limit.toSeconds() + " s (still waiting for the upstream)";
        } catch (IOException e) {
            return "connection failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static boolean healthy(String gateway) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/_proxy/health")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        return -1;
    }

    /** User and system CPU the process has used, in clock ticks ({@code /proc/<pid>/stat} fields 14 and 15). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long heapAfterGcMiB(long pid) throws Exception {
        run("jcmd", Long.toString(pid), "GC.run");
        Matcher used = HEAP_USED.matcher(run("jcmd", Long.toString(pid), "GC.heap_info"));
        return used.find() ? Long.parseLong(used.group(1)) / 1024 : -1;
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static String messages(String text, boolean stream) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static String withTool(String schema) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"tools\":[{\"name\":\"t\",\"input_schema\":" + schema + "}]}";
    }

    /** The 491-byte request of the review: one definition referring to itself from eight properties. */
    private static String selfReferencingSchema() {
        StringBuilder properties = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            properties.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":{\"$ref\":\"#/$defs/N\"}");
        }
        return withTool("{\"type\":\"object\",\"$defs\":{\"N\":{\"type\":\"object\",\"properties\":{" + properties
                + "}}},\"properties\":{\"n\":{\"$ref\":\"#/$defs/N\"}}}");
    }

    private static String fanOutSchema() {
        return withTool(dev.claudeproxy.HostileSchemas.fanOut(8, 8));
    }

    private static final String ROLE = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";

    /** Upstreams that misbehave the ways the review found, each under its own path. */
    private static HttpServer fakeUpstream(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/ok/", exchange -> answer(exchange, "application/json", out -> out.write(bytes(
                "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}]}"))));
        server.createContext("/silent/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            sleep(Duration.ofMinutes(10));
            exchange.close();
        });
        server.createContext("/word/", exchange -> answer(exchange, "text/event-stream", out -> {
            out.write(bytes(ROLE));
            for (int i = 0; i < 400; i++) {
                out.write(bytes("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + "w".repeat(10_000) + "\"}}]}\n\n"));
            }
            out.write(bytes("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));
        }));
        endless(server, "line", ROLE + "data: {", "x".repeat(8192));
        endless(server, "data", ROLE, "data: {\"x\":1}\n".repeat(512));
        endless(server, "arguments", ROLE + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"c\",\"function\":{\"name\":\"Write\",\"arguments\":\"{\\\"content\\\":\\\"\"}}]}}]}\n\n",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\""
                        + "a".repeat(4096) + "\"}}]}}]}\n\n");
        endless(server, "text", ROLE, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + "more text ".repeat(400)
                + "\"}}]}\n\n");
        server.start();
        return server;
    }

    private static void endless(HttpServer server, String name, String head, String repeated) {
        byte[] again = bytes(repeated);
        server.createContext("/endless-" + name + "/", exchange -> answer(exchange, "text/event-stream", out -> {
            out.write(bytes(head));
            while (true) {
                out.write(again);
            }
        }));
    }

    @FunctionalInterface
    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private static void answer(HttpExchange exchange, String contentType, Body body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            body.write(out);
        } catch (IOException hungUp) {
            // the gateway dropped the connection: what it should do with an upstream like this
        }
        exchange.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
