package dev.claudeproxy.servlet;

import dev.claudeproxy.config.ClientAuth;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.convert.Ids;
import dev.claudeproxy.convert.ThinkingSignatures;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.route.Endpoint;
import dev.claudeproxy.route.ParsedPath;
import dev.claudeproxy.route.PathParser;
import dev.claudeproxy.route.RouteNotFoundException;
import dev.claudeproxy.route.UpstreamBreaker;
import dev.claudeproxy.route.UpstreamGuard;
import dev.claudeproxy.upstream.UpstreamClient;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Method;
import java.security.SecureRandom;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The gateway's only servlet, mapped to {@code /*} with async support. It answers the cheap
 * requests itself (probes, wrong methods, unknown paths) and hands each {@code /v1/messages} call
 * to an {@link Exchange} on a worker thread, freeing the container thread at once.
 *
 * <p>Concurrency design: an exchange is plain blocking code, run on its own worker. Workers are
 * virtual threads on Java 21+ (an exchange blocks on upstream reads for the whole length of a
 * stream, which virtual threads make cheap); on Java 17 a bounded pool of 512 platform threads whose
 * overflow is refused with 529 {@code overloaded_error}, which clients retry. Servlet non-blocking
 * I/O with an async client was the alternative; it reaches the same concurrency with callbacks
 * through every converter. Upstream calls share one JDK HTTP client, which multiplexes streams over
 * HTTP/2 where the upstream offers it. Measured with {@code bench/load.sh}: 10,000 concurrent
 * one-minute streams through one Tomcat on Java 25 all completed, with at most 147 threads.
 */
public final class ProxyServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(ProxyServlet.class.getName());
    private static final int PLATFORM_WORKERS = 512;

    private transient Gateway gateway;
    private transient ExecutorService workers;
    private transient LocalEndpoints localEndpoints;
    private transient Operations operations;
    private transient Cors cors;
    private transient byte[] page;
    private transient SetupScript setupScript;
    /** The platform threads of this webapp: exchange workers (on Java 17), the timer, the upstream client's. */
    private final transient OwnThreads workerThreads = new OwnThreads("claude-proxy-exchange-");
    private final transient OwnThreads timerThreads = new OwnThreads("claude-proxy-keepalive-");
    private final transient OwnThreads upstreamThreads = new OwnThreads("claude-proxy-upstream-");
    private volatile boolean warnedSynchronous;

    @Override
    public void init() throws ServletException {
        ServletContext context = getServletContext();
        Settings settings;
        try {
            settings = SettingsListener.of(context);
        } catch (IllegalStateException unregistered) {
            throw new ServletException(unregistered.getMessage(), unregistered);
        }
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, timerThreads);
        // An ended stream's ping task must not linger in the queue until its next run.
        timer.setRemoveOnCancelPolicy(true);
        UpstreamClient upstream = new UpstreamClient(settings.connectTimeout(), settings.readTimeout(),
                upstreamThreads, timer);
        workers = newWorkers();
        localEndpoints = new LocalEndpoints(settings);
        Telemetry telemetry = new Telemetry();
        operations = new Operations(settings, telemetry);
        cors = new Cors(settings.corsOrigins());
        page = page(context);
        setupScript = new SetupScript(context, settings.publicUrl());
        gateway = new Gateway(settings, upstream, timer, signatures(settings), new UpstreamGuard(settings.allowlist()),
                telemetry, new UpstreamBreaker(settings.upstreamCooldown(), System::nanoTime));
        if (settings.allowlist().anyPublic()) {
            LOG.warning(Settings.UPSTREAM_ALLOWLIST + " allows any public host: request paths may name any upstream on the"
                    + " internet (the gateway's own machine and networks stay refused unless listed); list the hosts"
                    + " your users may reach");
        }
        LOG.info(() -> "claude-proxy ready at context path '" + context.getContextPath() + "'; routes "
                + (settings.tiers().isEmpty() ? "from the path only" : settings.tiers().values().stream()
                .map(route -> route.tier().name().toLowerCase(Locale.ROOT) + " to " + route.baseUrl().getAuthority()
                        + " model " + route.model()).collect(Collectors.joining(", ")))
                + "; client auth " + settings.clientAuth().mode().name().toLowerCase(Locale.ROOT));
    }

    /**
     * Stops readiness at once, lets open exchanges finish for up to {@code SHUTDOWN_GRACE_SECONDS}
     * (the container has stopped routing new requests here), then closes what is left and the
     * upstream client.
     */
    @Override
    public void destroy() {
        operations.startDraining();
        try {
            if (!gateway.telemetry().awaitIdle(gateway.settings().shutdownGrace())) {
                LOG.warning(gateway.telemetry().active() + " exchanges still open after the shutdown grace period;"
                        + " closing them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        gateway.keepAliveTimer().shutdownNow();
        gateway.upstream().close();
        try {
            // Leave no thread of this webapp behind: the container reports (and leaks) any still running.
            workers.awaitTermination(5, TimeUnit.SECONDS);
            gateway.keepAliveTimer().awaitTermination(5, TimeUnit.SECONDS);
            workerThreads.join(Duration.ofSeconds(5));
            timerThreads.join(Duration.ofSeconds(5));
            upstreamThreads.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void service(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse)
            throws IOException {
        if (clientToProxyRequest.getDispatcherType() != DispatcherType.REQUEST) {
            // Only the container dispatches here again: to the error page (ERROR, or INCLUDE once committed).
            containerError(clientToProxyRequest, proxyToClientResponse);
            return;
        }
        Trace trace = new Trace(Ids.requestId());
        proxyToClientResponse.setHeader(Exchange.REQUEST_ID_HEADER, trace.requestId);
        if (cors.preflight(clientToProxyRequest, proxyToClientResponse)) {
            return;
        }
        cors.apply(clientToProxyRequest, proxyToClientResponse);
        if (!gateway.settings().answersHost(clientToProxyRequest.getHeader("Host"))) {
            // A page that rebinds its own name to this machine's address reaches the gateway under a Host it never had.
            ErrorResponder.send(proxyToClientResponse, null, new ProxyException(ErrorType.PERMISSION,
                    "this gateway does not answer for this Host (" + Settings.ALLOWED_HOSTS + ")"));
            return;
        }
        String method = clientToProxyRequest.getMethod();
        String path = clientToProxyRequest.getPathInfo() == null ? "/" : clientToProxyRequest.getPathInfo();
        if (method.equals("HEAD")) {
            // Claude Code probes HEAD <base>/api/hello (and some clients HEAD /) before the first request.
            proxyToClientResponse.setStatus(200);
            return;
        }
        if (method.equals("GET") && (path.equals("/") || path.equals("/index.html"))) {
            proxyToClientResponse.setContentType("text/html;charset=UTF-8");
            proxyToClientResponse.setContentLength(page.length);
            proxyToClientResponse.getOutputStream().write(page);
            return;
        }
        if (method.equals("GET") && path.equals(SetupScript.PATH)) {
            setupScript.serve(clientToProxyRequest, proxyToClientResponse);
            return;
        }
        if (path.startsWith(Operations.PREFIX) && method.equals("GET")
                && operations.answer(path, proxyToClientResponse)) {
            return;
        }
        trace.user = ClientRequests.user(clientToProxyRequest, gateway.settings().clientAuth().userHeader()).orElse("-");
        try {
            ParsedPath parsed = parse(path);
            trace.endpoint = parsed.endpoint().name().toLowerCase(Locale.ROOT);
            if (parsed.endpoint() == Endpoint.HELLO) {
                proxyToClientResponse.setStatus(200);
                return;
            }
            String allowed = parsed.endpoint() == Endpoint.MODELS || parsed.endpoint() == Endpoint.MODEL_INFO
                    ? "GET" : "POST";
            if (!method.equals(allowed)) {
                throw new ProxyException(405, ErrorType.INVALID_REQUEST, "method " + method
                        + " is not allowed here; use " + allowed, Map.of("Allow", allowed));
            }
            authenticate(clientToProxyRequest);
            if (method.equals("POST")) {
                ClientRequests.refuseSimpleCrossSitePost(clientToProxyRequest);
            }
            switch (parsed.endpoint()) {
                case MESSAGES -> {
                    startExchange(clientToProxyRequest, proxyToClientResponse, parsed, trace);
                    return; // the exchange logs itself when it ends
                }
                case COUNT_TOKENS -> localEndpoints.countTokens(clientToProxyRequest, proxyToClientResponse, parsed);
                default -> localEndpoints.models(clientToProxyRequest, proxyToClientResponse, parsed);
            }
        } catch (ProxyException failure) {
            trace.errorType = failure.type().wireName();
            ErrorResponder.send(proxyToClientResponse, null, failure);
        } catch (ClientGoneException gone) {
            trace.errorType = Exchange.CLIENT_GONE;
        } catch (RuntimeException bug) {
            // Never the container's HTML page with a stack trace: the client gets the Anthropic envelope.
            LOG.log(Level.SEVERE, trace.requestId + " failed inside the gateway", bug);
            ProxyException internal = new ProxyException(ErrorType.API, "internal gateway error (request "
                    + trace.requestId + ")");
            trace.errorType = internal.type().wireName();
            ErrorResponder.send(proxyToClientResponse, null, internal);
        }
        trace.firstByte();
        gateway.telemetry().finished(trace, proxyToClientResponse.getStatus());
    }

    /**
     * The webapp's error page (web.xml): an error the container itself raised inside this webapp
     * is answered in the Anthropic envelope too, never as the container's HTML page.
     */
    private static void containerError(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse) {
        if (proxyToClientResponse.isCommitted()) {
            return; // an exchange already answered (a failed async request): its own error path has reported
        }
        Object code = clientToProxyRequest.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer number && number >= 400 && number < 600 ? number : 500;
        ErrorType type = java.util.Arrays.stream(ErrorType.values()).filter(candidate -> candidate.status() == status)
                .findFirst().orElse(status < 500 ? ErrorType.INVALID_REQUEST : ErrorType.API);
        ErrorResponder.send(proxyToClientResponse, null, new ProxyException(status, type,
                "the server refused the request (HTTP " + status + ")", Map.of()));
    }

    private static ParsedPath parse(String path) {
        try {
            return PathParser.parse(path);
        } catch (RouteNotFoundException e) {
            throw new ProxyException(ErrorType.NOT_FOUND, e.getMessage());
        }
    }

    /** Enforces {@code CLIENT_AUTH}: 401 {@code authentication_error} for a request that does not pass. */
    private void authenticate(HttpServletRequest clientToProxyRequest) {
        ClientAuth auth = gateway.settings().clientAuth();
        String refusal = switch (auth.mode()) {
            case NONE -> null;
            case KEYS -> auth.acceptsKey(ClientRequests.key(clientToProxyRequest)) ? null
                    : "this gateway needs one of its client keys, as x-api-key or Authorization: Bearer";
            case PRINCIPAL -> clientToProxyRequest.getUserPrincipal() != null ? null
                    : "this gateway needs a user signed in through the server's single sign-on";
            case HEADER -> ClientRequests.user(clientToProxyRequest, auth.userHeader()).isPresent() ? null
                    : "this gateway needs a user signed in through the single sign-on front (no "
                    + auth.userHeader() + " header)";
        };
        if (refusal != null) {
            throw new ProxyException(ErrorType.AUTHENTICATION, refusal);
        }
    }

    private void startExchange(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse,
                               ParsedPath parsed, Trace trace) {
        // Refused before going async: no worker is taken for a body that will not be read.
        ClientRequests.refuseDeclaredOverLimit(clientToProxyRequest, gateway.settings().limits().maxRequestBytes());
        gateway.telemetry().started();
        if (!clientToProxyRequest.isAsyncSupported()) {
            // A filter in front (an SSO filter declared without async support) forbids async: serve on this thread.
            warnSynchronousOnce();
            new Exchange(clientToProxyRequest, proxyToClientResponse, () -> { }, parsed, gateway, trace).run();
            return;
        }
        AsyncContext asyncContext = clientToProxyRequest.startAsync(clientToProxyRequest, proxyToClientResponse);
        // The upstream read timeout bounds every exchange; the container's own (30 s on Tomcat) would cut long streams.
        asyncContext.setTimeout(0);
        Exchange exchange = new Exchange(clientToProxyRequest, proxyToClientResponse, asyncContext::complete, parsed,
                gateway, trace);
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
            LOG.warning(trace.requestId + ": all " + PLATFORM_WORKERS + " workers busy; answered 529");
            ProxyException overloaded = new ProxyException(ErrorType.OVERLOADED,
                    "the gateway is at its concurrency limit; retry shortly");
            trace.errorType = overloaded.type().wireName();
            ErrorResponder.send(proxyToClientResponse, null, overloaded);
            asyncContext.complete();
            gateway.telemetry().finished(trace, overloaded.status());
            gateway.telemetry().ended();
        }
    }

    private void warnSynchronousOnce() {
        if (!warnedSynchronous) {
            warnedSynchronous = true;
            LOG.warning("a filter or valve in front of claude-proxy does not support async requests: exchanges run on"
                    + " the container's request threads, one blocked thread per open stream; declare"
                    + " <async-supported>true</async-supported> on it");
        }
    }

    /** The root page, {@code index.html} of the webapp, read once. */
    private static byte[] page(ServletContext context) {
        return WebappFiles.read(context, "/index.html").orElseGet(() -> ("<!doctype html><title>claude-proxy</title>"
                + "<p>claude-proxy: Anthropic Messages API gateway. POST " + PathParser.FORM)
                .getBytes(StandardCharsets.UTF_8));
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

    private ExecutorService newWorkers() {
        try {
            Method virtual = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            LOG.info("exchanges run on virtual threads");
            return (ExecutorService) virtual.invoke(null);
        } catch (NoSuchMethodException e) {
            LOG.info("exchanges run on at most " + PLATFORM_WORKERS + " platform threads (Java 21+ would use virtual threads)");
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "virtual threads unavailable; using platform threads", e);
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(PLATFORM_WORKERS, PLATFORM_WORKERS, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), workerThreads);
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
