package dev.claudeproxy.servlet;

import dev.claudeproxy.config.Lookup;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.convert.Ids;
import dev.claudeproxy.convert.ThinkingSignatures;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.route.Endpoint;
import dev.claudeproxy.route.ParsedPath;
import dev.claudeproxy.route.PathParser;
import dev.claudeproxy.route.RouteNotFoundException;
import dev.claudeproxy.upstream.UpstreamClient;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Method;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's only servlet, mapped to {@code /*} with async support. It answers the cheap
 * requests itself (probes, wrong methods, unknown paths) and hands each {@code /v1/messages} call
 * to an {@link Exchange} on a worker thread, freeing the container thread at once.
 *
 * <p>Workers are virtual threads on Java 21+ (an exchange blocks on upstream reads for the whole
 * length of a stream, which virtual threads make cheap); on Java 17 a bounded pool of platform
 * threads whose overflow is refused with 529 {@code overloaded_error}, which clients retry.
 */
public final class ProxyServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(ProxyServlet.class.getName());
    private static final int PLATFORM_WORKERS = 512;

    private transient Gateway gateway;
    private transient ExecutorService workers;
    private transient LocalEndpoints localEndpoints;

    @Override
    public void init() throws ServletException {
        ServletContext context = getServletContext();
        Settings settings;
        try {
            settings = Settings.load(Lookup.chain(Lookup.jndi(), Lookup.of(context::getInitParameter),
                    Lookup.environment()));
        } catch (IllegalArgumentException invalid) {
            throw new ServletException("claude-proxy configuration is invalid: " + invalid.getMessage(), invalid);
        }
        UpstreamClient upstream = new UpstreamClient(settings.connectTimeout(), settings.readTimeout());
        workers = newWorkers();
        localEndpoints = new LocalEndpoints(settings);
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "claude-proxy-keepalive");
            thread.setDaemon(true);
            return thread;
        });
        // An ended stream's ping task must not linger in the queue until its next run.
        timer.setRemoveOnCancelPolicy(true);
        gateway = new Gateway(settings, upstream, timer, signatures(settings));
        LOG.info(() -> "claude-proxy ready at context path '" + context.getContextPath() + "'; Haiku route "
                + gateway.settings().haiku().map(route -> "to " + route.baseUrl().getAuthority() + " model " + route.model())
                .orElse("not configured"));
    }

    @Override
    public void destroy() {
        workers.shutdownNow();
        gateway.keepAliveTimer().shutdownNow();
        gateway.upstream().close();
    }

    @Override
    protected void service(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse)
            throws IOException {
        String requestId = Ids.requestId();
        proxyToClientResponse.setHeader(Exchange.REQUEST_ID_HEADER, requestId);
        String method = clientToProxyRequest.getMethod();
        String path = clientToProxyRequest.getPathInfo() == null ? "/" : clientToProxyRequest.getPathInfo();
        if (method.equals("HEAD")) {
            // Claude Code probes HEAD <base>/api/hello (and some clients HEAD /) before the first request.
            proxyToClientResponse.setStatus(200);
            return;
        }
        if (path.equals("/") && method.equals("GET")) {
            byte[] hello = "claude-proxy: Anthropic Messages API gateway. POST " .concat(PathParser.FORM)
                    .concat("\n").getBytes(StandardCharsets.UTF_8);
            proxyToClientResponse.setContentType("text/plain;charset=UTF-8");
            proxyToClientResponse.getOutputStream().write(hello);
            return;
        }
        ParsedPath parsed;
        try {
            parsed = PathParser.parse(path);
        } catch (RouteNotFoundException e) {
            ErrorResponder.send(proxyToClientResponse, null, new ProxyException(ErrorType.NOT_FOUND, e.getMessage()));
            return;
        }
        if (parsed.endpoint() == Endpoint.HELLO) {
            proxyToClientResponse.setStatus(200);
            return;
        }
        String allowed = parsed.endpoint() == Endpoint.MODELS || parsed.endpoint() == Endpoint.MODEL_INFO ? "GET" : "POST";
        if (!method.equals(allowed)) {
            ErrorResponder.send(proxyToClientResponse, null, new ProxyException(405, ErrorType.INVALID_REQUEST,
                    "method " + method + " is not allowed here; use " + allowed, Map.of("Allow", allowed)));
            return;
        }
        try {
            switch (parsed.endpoint()) {
                case MESSAGES -> startExchange(clientToProxyRequest, proxyToClientResponse, parsed, requestId);
                case COUNT_TOKENS -> localEndpoints.countTokens(clientToProxyRequest, proxyToClientResponse, parsed);
                default -> localEndpoints.models(clientToProxyRequest, proxyToClientResponse, parsed);
            }
        } catch (ProxyException failure) {
            ErrorResponder.send(proxyToClientResponse, null, failure);
        }
    }

    private void startExchange(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse,
                               ParsedPath parsed, String requestId) {
        AsyncContext asyncContext = clientToProxyRequest.startAsync(clientToProxyRequest, proxyToClientResponse);
        // The upstream read timeout bounds every exchange; the container's own (30 s on Tomcat) would cut long streams.
        asyncContext.setTimeout(0);
        Exchange exchange = new Exchange(asyncContext, parsed, gateway, requestId);
        asyncContext.addListener(new AsyncListener() {
            @Override
            public void onError(AsyncEvent event) {
                exchange.abort();
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                exchange.abort();
            }

            @Override
            public void onComplete(AsyncEvent event) {
                // nothing to release: the exchange closes its upstream connection itself
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // not restarted
            }
        });
        try {
            workers.execute(exchange);
        } catch (RejectedExecutionException full) {
            LOG.warning(requestId + ": all " + PLATFORM_WORKERS + " workers busy; answered 529");
            ErrorResponder.send(proxyToClientResponse, null, new ProxyException(ErrorType.OVERLOADED,
                    "the gateway is at its concurrency limit; retry shortly"));
            asyncContext.complete();
        }
    }

    /** Without a configured secret, a random one: signatures then hold for this instance until it restarts. */
    private static ThinkingSignatures signatures(Settings settings) {
        if (settings.thinkingSecret().isPresent()) {
            return new ThinkingSignatures(settings.thinkingSecret().get().reveal().getBytes(StandardCharsets.UTF_8));
        }
        LOG.info(Settings.THINKING_SIGNATURE_SECRET + " is not set: thinking blocks verify on this instance until it"
                + " restarts; set one shared secret for a cluster");
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return new ThinkingSignatures(random);
    }

    private static ExecutorService newWorkers() {
        try {
            Method virtual = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            LOG.info("exchanges run on virtual threads");
            return (ExecutorService) virtual.invoke(null);
        } catch (NoSuchMethodException e) {
            LOG.info("exchanges run on at most " + PLATFORM_WORKERS + " platform threads (Java 21+ would use virtual threads)");
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "virtual threads unavailable; using platform threads", e);
        }
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(PLATFORM_WORKERS, PLATFORM_WORKERS, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "claude-proxy-exchange-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
