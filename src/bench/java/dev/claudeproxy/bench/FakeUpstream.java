package dev.claudeproxy.bench;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * The slow upstream of the load runs: an OpenAI-style Chat Completions endpoint on embedded
 * Tomcat over TLS with HTTP/2 (ALPN), so one connection from the gateway carries every stream.
 * The path sets the stream's shape: {@code /slow/<chunks>/<intervalMs>/v1/chat/completions} sends
 * one content chunk every {@code intervalMs}. A prompt containing {@code drop-<id>} marks a stream
 * whose client will leave: the moment this side notices the gateway reset it is recorded, and
 * {@code GET /drops} lists them ({@code id epochMillis} per line). {@code GET /stats} gives
 * counters.
 *
 * <p>Usage: {@code FakeUpstream <port> <pkcs12 keystore> <password>}.
 */
public final class FakeUpstream extends HttpServlet {

    private static final Pattern SHAPE = Pattern.compile("/slow/(\\d+)/(\\d+)/v1/chat/completions");
    private static final Pattern DROP_ID = Pattern.compile("drop-(\\d+)");
    private static final byte[] COMPLETION = ("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"fake\",\"choices\":"
            + "[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] CHUNK = ("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"fake\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word \"}}]}\n\n").getBytes(StandardCharsets.UTF_8);
    private static final byte[] END = ("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"fake\","
            + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":60}}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);

    private final ScheduledExecutorService ticks = Executors.newScheduledThreadPool(4);
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final AtomicLong reset = new AtomicLong();
    private final AtomicLong http2 = new AtomicLong();
    private final Queue<String> drops = new ConcurrentLinkedQueue<>();

    public static void main(String[] args) throws Exception {
        Logger.getLogger("").setLevel(Level.WARNING);
        int port = Integer.parseInt(args[0]);
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("fake-upstream").toString());
        Connector connector = new Connector("org.apache.coyote.http11.Http11NioProtocol");
        connector.setPort(port);
        connector.setSecure(true);
        connector.setScheme("https");
        connector.setProperty("SSLEnabled", "true");
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxConnections", "-1");
        connector.setProperty("maxKeepAliveRequests", "-1");
        // Every request gets a thread at once: a stream queued for a pool thread leaves its request body
        // unread, and that body's share of the connection's flow-control window stalls the other streams.
        connector.setProperty("useVirtualThreads", "true");
        SSLHostConfig tls = new SSLHostConfig();
        SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(tls, SSLHostConfigCertificate.Type.UNDEFINED);
        certificate.setCertificateKeystoreFile(Path.of(args[1]).toAbsolutePath().toString());
        certificate.setCertificateKeystorePassword(args[2]);
        certificate.setCertificateKeystoreType("PKCS12");
        tls.addCertificate(certificate);
        connector.addSslHostConfig(tls);
        Http2Protocol h2 = new Http2Protocol();
        // One gateway connection carries every stream of a run: no per-connection limits, no overhead policing.
        h2.setMaxConcurrentStreams(50_000);
        h2.setMaxConcurrentStreamExecution(50_000);
        h2.setOverheadCountFactor(0);
        h2.setReadTimeout(600_000);
        h2.setStreamReadTimeout(600_000);
        h2.setKeepAliveTimeout(600_000);
        connector.addUpgradeProtocol(h2);
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "fake", new FakeUpstream()).setAsyncSupported(true);
        context.addServletMappingDecoded("/*", "fake");
        tomcat.start();
        System.out.println("fake upstream on https://127.0.0.1:" + port);
        tomcat.getServer().await();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        StringBuilder text = new StringBuilder();
        if (request.getRequestURI().equals("/drops")) {
            drops.forEach(line -> text.append(line).append('\n'));
        } else {
            text.append("active ").append(active.get()).append("\nstarted ").append(started.get())
                    .append("\nfinished ").append(finished.get()).append("\nreset ").append(reset.get())
                    .append("\nhttp2 ").append(http2.get()).append('\n');
        }
        response.getWriter().write(text.toString());
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String body = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (request.getProtocol().equals("HTTP/2.0")) {
            http2.incrementAndGet();
        }
        Matcher shape = SHAPE.matcher(request.getRequestURI());
        if (!body.contains("\"stream\":true") || !shape.matches()) {
            response.setContentType("application/json");
            response.setContentLength(COMPLETION.length);
            response.getOutputStream().write(COMPLETION);
            return;
        }
        int chunks = Integer.parseInt(shape.group(1));
        long interval = Long.parseLong(shape.group(2));
        Matcher drop = DROP_ID.matcher(body);
        String dropId = drop.find() ? drop.group(1) : null;
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        ServletOutputStream out = response.getOutputStream();
        out.flush();
        started.incrementAndGet();
        active.incrementAndGet();
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        task.set(ticks.scheduleAtFixedRate(() -> {
            try {
                if (sent.getAndIncrement() < chunks) {
                    out.write(CHUNK);
                    out.flush();
                    return;
                }
                out.write(END);
                out.flush();
                finished.incrementAndGet();
                end(async, task);
            } catch (IOException | RuntimeException gone) {
                reset.incrementAndGet();
                if (dropId != null) {
                    drops.add(dropId + " " + System.currentTimeMillis());
                }
                end(async, task);
            }
        }, 0, interval, TimeUnit.MILLISECONDS));
    }

    private void end(AsyncContext async, AtomicReference<ScheduledFuture<?>> task) {
        active.decrementAndGet();
        while (task.get() == null) {
            Thread.onSpinWait();
        }
        task.get().cancel(false);
        try {
            async.complete();
        } catch (RuntimeException alreadyOver) {
            // the stream was reset
        }
    }
}
