package dev.claudeproxy.servlet;

import dev.claudeproxy.call.CallPolicy;
import dev.claudeproxy.config.ClientAuth;
import dev.claudeproxy.config.Secret;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.config.SignIn;
import dev.claudeproxy.convert.Ids;
import dev.claudeproxy.provider.ThinkingSigner;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.identity.DeviceGrants;
import dev.claudeproxy.identity.Identity;
import dev.claudeproxy.identity.RefreshTokens;
import dev.claudeproxy.identity.SessionTokens;
import dev.claudeproxy.identity.TokenVerifier;
import dev.claudeproxy.route.Endpoint;
import dev.claudeproxy.route.ParsedPath;
import dev.claudeproxy.route.PathParser;
import dev.claudeproxy.route.RouteNotFoundException;
import dev.claudeproxy.route.RouteCooldowns;
import dev.claudeproxy.route.UpstreamGuard;
import dev.claudeproxy.upstream.CallClock;
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
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The gateway's only servlet, mapped to {@code /*} with async support. It answers the cheap
 * requests itself (probes, wrong methods, unknown paths, models) and, for {@code /v1/messages}
 * and {@code count_tokens}, starts async processing, reads the body without holding a thread
 * ({@link BodyReader}), then hands the request to a worker ({@link Admission}): an
 * {@link Exchange}, or a token count.
 *
 * <p>Concurrency design: an exchange is plain blocking code on a worker of its own, with one more
 * thread reading its upstream answer ({@link dev.claudeproxy.upstream.UpstreamCall}); workers are
 * virtual threads on Java 21+, platform threads started on demand on Java 17. One admission limit
 * ({@code MAX_CONCURRENT_EXCHANGES}) holds on every version, and one byte budget
 * ({@code MAX_REQUEST_BYTES_IN_FLIGHT}) for the bodies they hold; past either, 529
 * {@code overloaded_error}, which clients retry.
 */
public final class ProxyServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(ProxyServlet.class.getName());
    private static final String TRACE = Trace.class.getName();

    private transient Gateway gateway;
    private transient LocalEndpoints localEndpoints;
    private transient Operations operations;
    private transient Cors cors;
    private transient byte[] page;
    private transient byte[] usagePage;
    private transient SetupScript setupScript;
    /** The identity provider's tokens, for {@code CLIENT_AUTH=jwt}. */
    private transient Optional<TokenVerifier> tokens;
    /** The gateway's session tokens and the sign-in that issues them, for {@code CLIENT_AUTH=sso}. */
    private transient Optional<SessionTokens> sessions;
    private transient Optional<SignInEndpoints> signIn;
    /** The policy and the usage ledger. */
    private transient Accounting accounting;
    private transient UsageEndpoints usageEndpoints;
    /** The platform threads of this webapp: workers and keep-alive pings (on Java 17), the clock. */
    private final transient OwnThreads workerThreads = new OwnThreads("claude-proxy-exchange-");
    private final transient OwnThreads pingThreads = new OwnThreads("claude-proxy-ping-");
    private final transient OwnThreads clockThreads = new OwnThreads("claude-proxy-clock-");
    /** Runs the keep-alive pings of silent streams, which may block on a slow client. */
    private transient java.util.concurrent.ExecutorService pings;
    private transient CallClock clock;
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
        // First, as the last step that can refuse: a container calls no destroy() after a failed init(),
        // so nothing that starts a thread (the clock, the HTTP client's evictor) comes before it.
        try {
            accounting = Accounting.start(settings.usage(), workDirectory(context));
        } catch (RuntimeException refused) {
            // The policy file refused, the DataSource named but not bound, the database's schema not migrated.
            throw new ServletException("claude-proxy cannot start: " + refused.getMessage(), refused);
        }
        UpstreamGuard guard = new UpstreamGuard(settings.allowlist());
        pings = Admission.newWorkers(Integer.MAX_VALUE, pingThreads, "keep-alive pings");
        clock = new CallClock(clockThreads, pings);
        UpstreamClient upstream = new UpstreamClient(settings.timeouts().connect(), guard::connectionRefusal, clock);
        CallPolicy calls = new CallPolicy(settings, upstream, new RouteCooldowns(settings.upstreamCooldown(),
                System::nanoTime), signatures(settings), ThreadLocalRandom.current()::nextDouble);
        localEndpoints = new LocalEndpoints(settings);
        BodyDeadlines bodyDeadlines = new BodyDeadlines(clock);
        usageEndpoints = new UsageEndpoints(settings.usage(), accounting, Clock.systemUTC());
        Telemetry telemetry = new Telemetry(bodyDeadlines::watching, accounting);
        Admission admission = new Admission(settings.limits().maxExchanges(), workerThreads);
        operations = new Operations(settings, telemetry, admission::free);
        cors = new Cors(settings.corsOrigins());
        page = page(context);
        usagePage = WebappFiles.read(context, "/usage.html").orElseGet(() -> ("<!doctype html><title>usage</title><p>The"
                + " usage page is not in this build; the figures are at _proxy/usage/me").getBytes(StandardCharsets.UTF_8));
        setupScript = new SetupScript(context, settings.publicUrl(), settings.checksHosts());
        tokens = settings.clientAuth().jwt().map(TokenVerifier::new);
        Optional<SignIn> sso = settings.clientAuth().signIn();
        // One key for the sessions, the sign-ins under way and the refresh tokens: the configured secret, else a random one.
        byte[] sessionKey = sso.map(ProxyServlet::sessionKey).orElse(null);
        sessions = sso.map(signInSettings -> new SessionTokens(sessionKey, signInSettings.sessionTtl(), Clock.systemUTC()));
        sessions.ifPresent(accounting::shareRevocations);
        gateway = new Gateway(settings, upstream, calls, guard, telemetry,
                new BodyBudget(settings.limits().maxBytesInFlight()), admission, bodyDeadlines, clock);
        signIn = sso.map(signInSettings -> new SignInEndpoints(signInSettings, settings.publicUrl(), sessions.get(),
                new DeviceGrants(Clock.systemUTC(), accounting.grantStore(), sessionKey), new RefreshTokens(sessionKey),
                new SmallBodies(gateway), Clock.systemUTC()));
        if (settings.allowlist().anyPublic()) {
            LOG.warning(Settings.UPSTREAM_ALLOWLIST + " allows any public host: request paths may name any upstream on the"
                    + " internet (the gateway's own machine and networks stay refused unless listed); list the hosts"
                    + " your users may reach");
        }
        LOG.info(() -> "claude-proxy ready at context path '" + context.getContextPath() + "'; routes "
                + (settings.tiers().isEmpty() ? "from the path only" : settings.tiers().values().stream()
                .map(route -> route.tier().name().toLowerCase(Locale.ROOT) + " to " + route.baseUrl().getAuthority()
                        + " model " + route.model()).collect(Collectors.joining(", ")))
                + "; client auth " + settings.clientAuth().mode().name().toLowerCase(Locale.ROOT)
                + "; at most " + settings.limits().maxExchanges() + " exchanges and "
                + settings.limits().maxBytesInFlight() / (1024 * 1024) + " MiB of request bodies at once");
    }

    /**
     * Stops readiness at once, lets open exchanges finish for up to {@code SHUTDOWN_GRACE_SECONDS}
     * (the container has stopped routing new requests here), then closes what is left and the
     * upstream client.
     */
    @Override
    public void destroy() {
        if (gateway == null) {
            // init() failed, on a container that calls destroy() anyway: the clock, if it had got that far.
            if (clock != null) {
                clock.close();
                pings.shutdownNow();
            }
            return;
        }
        operations.startDraining();
        try {
            if (!gateway.telemetry().awaitIdle(gateway.settings().shutdownGrace())) {
                LOG.warning(gateway.telemetry().active() + " exchanges still open after the shutdown grace period;"
                        + " closing them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gateway.admission().close();
        signIn.ifPresent(SignInEndpoints::close);
        accounting.close(); // after the exchanges: what they recorded is written before the webapp stops
        clock.close();
        gateway.upstream().close();
        pings.shutdownNow();
        try {
            // Leave no thread of this webapp behind: the container reports (and leaks) any still running.
            gateway.admission().awaitTermination(5);
            clock.awaitTermination(Duration.ofSeconds(5));
            pings.awaitTermination(5, TimeUnit.SECONDS);
            workerThreads.join(Duration.ofSeconds(5));
            pingThreads.join(Duration.ofSeconds(5));
            clockThreads.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void service(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse)
            throws IOException {
        if (clientToProxyRequest.getDispatcherType() == DispatcherType.ASYNC
                && clientToProxyRequest.getAttribute(BodyReader.FAILURE) instanceof ProxyException failure) {
            bodyFailed(clientToProxyRequest, proxyToClientResponse, failure);
            return;
        }
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
        if (signIn.isPresent() && signIn.get().answer(method, path, clientToProxyRequest, proxyToClientResponse)) {
            return;
        }
        if (method.equals("GET") && path.equals(UsageEndpoints.PAGE)) {
            // The page only: its figures come from /_proxy/usage*, which authenticate each caller.
            proxyToClientResponse.setContentType("text/html;charset=UTF-8");
            proxyToClientResponse.setHeader("Cache-Control", "no-store");
            proxyToClientResponse.setContentLength(usagePage.length);
            proxyToClientResponse.getOutputStream().write(usagePage);
            return;
        }
        if (path.startsWith(Operations.PREFIX) && method.equals("GET")
                && operations.answer(path, proxyToClientResponse)) {
            return;
        }
        trace.user = ClientRequests.user(clientToProxyRequest, gateway.settings().clientAuth().userHeader()).orElse("-");
        trace.session = ClientRequests.header(clientToProxyRequest, "x-claude-code-session-id").orElse("-");
        trace.agent = ClientRequests.header(clientToProxyRequest, "x-claude-code-agent-id").orElse("-");
        trace.parentAgent = ClientRequests.header(clientToProxyRequest, "x-claude-code-parent-agent-id").orElse("-");
        if (method.equals("GET") && UsageEndpoints.serves(path)) {
            usage(path, clientToProxyRequest, proxyToClientResponse, trace);
            return;
        }
        try {
            refuseEncodedSlash(clientToProxyRequest.getRequestURI());
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
            authenticate(clientToProxyRequest, trace);
            if (method.equals("POST")) {
                ClientRequests.refuseSimpleCrossSitePost(clientToProxyRequest);
                receive(clientToProxyRequest, proxyToClientResponse, parsed, trace);
                return; // the exchange logs itself when it ends
            }
            localEndpoints.models(clientToProxyRequest, proxyToClientResponse, parsed, trace.groups,
                    accounting.limits(trace.user, trace.groups));
        } catch (ProxyException failure) {
            trace.errorType = failure.type().wireName();
            ErrorResponder.send(proxyToClientResponse, null, failure);
        } catch (ClientGoneException gone) {
            trace.errorType = Exchange.CLIENT_GONE;
        } catch (RuntimeException bug) {
            // Never the container's HTML page with a stack trace: the client gets the Anthropic envelope.
            LOG.log(Level.SEVERE, trace.requestId + " failed inside the gateway", bug);
            ProxyException internal = ProxyException.internal(trace.requestId);
            trace.errorType = internal.type().wireName();
            ErrorResponder.send(proxyToClientResponse, null, internal);
        }
        trace.firstByte();
        gateway.telemetry().finished(trace, proxyToClientResponse.getStatus());
    }

    /** Usage from the ledger, for the caller the request authenticates. */
    private void usage(String path, HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse,
                       Trace trace) throws IOException {
        trace.endpoint = "usage";
        try {
            // A browser signed in to the usage page presents its session as a cookie (read endpoints only).
            authenticate(clientToProxyRequest, trace, ClientRequests.key(clientToProxyRequest)
                    .or(() -> signIn.flatMap(endpoints -> endpoints.pageSession(clientToProxyRequest))));
            usageEndpoints.answer(path, clientToProxyRequest, proxyToClientResponse, trace);
        } catch (ProxyException failure) {
            trace.errorType = failure.type().wireName();
            ErrorResponder.send(proxyToClientResponse, null, failure);
        }
        gateway.telemetry().finished(trace, proxyToClientResponse.getStatus());
    }

    /**
     * A messages or count_tokens call: its body is read without holding this thread, then the call
     * runs on a worker, when one of the admission limit's places is free.
     */
    private void receive(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse,
                         ParsedPath parsed, Trace trace) throws IOException {
        Settings settings = gateway.settings();
        // Refused before going async: nothing is taken for a body that will not be read.
        ClientRequests.refuseDeclaredOverLimit(clientToProxyRequest, settings.limits().maxRequestBytes());
        if (parsed.endpoint() == Endpoint.MESSAGES) {
            // May they, now: budgets and rate limits, before a byte of the body is read.
            accounting.admit(trace).forEach(proxyToClientResponse::setHeader);
        }
        Optional<Secret> clientKey = settings.clientAuth().forwardsClientKey()
                ? ClientRequests.key(clientToProxyRequest) : Optional.empty();
        boolean clientRetrying = ClientRequests.isRetry(clientToProxyRequest);
        gateway.telemetry().started();
        if (!clientToProxyRequest.isAsyncSupported()) {
            receiveOnThisThread(clientToProxyRequest, proxyToClientResponse, parsed, trace, clientKey, clientRetrying);
            return;
        }
        AsyncContext asyncContext = clientToProxyRequest.startAsync(clientToProxyRequest, proxyToClientResponse);
        // The exchange's own deadlines bound it; the container's (30 s on Tomcat) would cut long streams.
        asyncContext.setTimeout(0);
        clientToProxyRequest.setAttribute(TRACE, trace);
        ClientStream client = new ClientStream(proxyToClientResponse, asyncContext::complete, trace);
        AtomicReference<Exchange> running = new AtomicReference<>();
        asyncContext.addListener(new ClientGone(client, () -> {
            Exchange exchange = running.get();
            if (exchange != null) {
                exchange.cancel();
            }
        }));
        BodyReader reader = new BodyReader(asyncContext, clientToProxyRequest.getInputStream(),
                clientToProxyRequest.getContentLengthLong(), settings.limits().maxRequestBytes(), Settings.MAX_REQUEST_BYTES,
                gateway.budget(),
                settings.timeouts(), body -> admit(body, parsed, trace, client, clientKey, clientRetrying, running),
                () -> {
                    trace.errorType = Exchange.CLIENT_GONE;
                    gateway.telemetry().finish(trace, Exchange.CLIENT_CLOSED_REQUEST);
                });
        try {
            reader.start(gateway.bodyDeadlines());
        } catch (ProxyException refused) {
            client.fail(refused);
            gateway.telemetry().finish(trace, refused.status(), client::complete);
        }
    }

    /** A whole body: its call runs on a worker, or is refused with 529 when every place is taken. */
    private void admit(ReadBody body, ParsedPath parsed, Trace trace, ClientStream client, Optional<Secret> clientKey,
                       boolean clientRetrying, AtomicReference<Exchange> running) {
        Runnable work;
        if (parsed.endpoint() == Endpoint.MESSAGES) {
            Exchange exchange = new Exchange(body, clientKey, parsed, gateway, trace, client, clientRetrying);
            running.set(exchange);
            work = exchange;
        } else {
            work = () -> countTokens(body, parsed, trace, client);
        }
        if (!gateway.admission().tryRun(work)) {
            body.release();
            LOG.warning(trace.requestId + ": all " + gateway.admission().limit() + " places are taken; answered 529");
            client.fail(new ProxyException(ErrorType.OVERLOADED, "the gateway is at its concurrency limit ("
                    + Settings.MAX_CONCURRENT_EXCHANGES + "); retry shortly"));
            gateway.telemetry().finish(trace, ErrorType.OVERLOADED.status(), client::complete);
        }
    }

    /** {@code count_tokens}, on a worker: counting a large body is real work. */
    private void countTokens(ReadBody body, ParsedPath parsed, Trace trace, ClientStream client) {
        try {
            client.answerJson(200, localEndpoints.countTokens(body, parsed));
        } catch (ProxyException failure) {
            client.fail(failure);
        } catch (ClientGoneException gone) {
            trace.errorType = Exchange.CLIENT_GONE;
        } catch (RuntimeException bug) {
            LOG.log(Level.SEVERE, trace.requestId + " failed inside the gateway", bug);
            client.fail(ProxyException.internal(trace.requestId));
        } finally {
            body.release();
            gateway.telemetry().finish(trace, client.status(Exchange.CLIENT_GONE.equals(trace.errorType)),
                    client::complete);
        }
    }

    /**
     * A filter in front (an SSO filter declared without async support) forbids async: the body is
     * read and the call served on this container thread.
     */
    private void receiveOnThisThread(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse,
                                     ParsedPath parsed, Trace trace, Optional<Secret> clientKey,
                                     boolean clientRetrying) {
        warnSynchronousOnce();
        ClientStream client = new ClientStream(proxyToClientResponse, () -> { }, trace);
        byte[] bytes;
        try {
            bytes = ClientRequests.body(clientToProxyRequest, gateway.settings().limits().maxRequestBytes());
        } catch (ProxyException failure) {
            client.fail(failure);
            gateway.telemetry().finish(trace, failure.status());
            return;
        } catch (ClientGoneException gone) {
            trace.errorType = Exchange.CLIENT_GONE;
            gateway.telemetry().finish(trace, Exchange.CLIENT_CLOSED_REQUEST);
            return;
        }
        if (!gateway.budget().reserve(bytes.length)) {
            ProxyException overloaded = BodyBudget.spent();
            client.fail(overloaded);
            gateway.telemetry().finish(trace, overloaded.status());
            return;
        }
        ReadBody body = new ReadBody(bytes, bytes.length, gateway.budget());
        if (parsed.endpoint() == Endpoint.MESSAGES) {
            new Exchange(body, clientKey, parsed, gateway, trace, client, clientRetrying).run();
        } else {
            countTokens(body, parsed, trace, client);
        }
    }

    /** A body that failed its bounds, answered on the container thread its reader dispatched to. */
    private void bodyFailed(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse,
                            ProxyException failure) {
        ErrorResponder.send(proxyToClientResponse, null, failure);
        if (clientToProxyRequest.getAttribute(TRACE) instanceof Trace trace) {
            trace.errorType = failure.type().wireName();
            trace.firstByte();
            gateway.telemetry().finish(trace, failure.status());
        }
    }

    /** Tells the exchange when the container reports that its client has gone. */
    private static final class ClientGone implements AsyncListener {
        private final ClientStream client;
        private final Runnable cancel;

        ClientGone(ClientStream client, Runnable cancel) {
            this.client = client;
            this.cancel = cancel;
        }

        @Override
        public void onError(AsyncEvent event) {
            // First: the container ends the response after this, and may then give it to another request.
            client.containerEnded();
            cancel.run();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            client.containerEnded();
            cancel.run();
        }

        @Override
        public void onComplete(AsyncEvent event) {
            // the exchange released what it held when it ended; nothing touches the response after this
            client.containerEnded();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // not restarted
        }
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

    /**
     * A {@code %2F} in the path means what the container makes of it: Tomcat and Liberty refuse it,
     * WildFly passes it on, Payara decodes it into a slash and the route would silently change. Not
     * routed anywhere: a 400 that shows the form that works everywhere.
     */
    private static void refuseEncodedSlash(String rawUri) {
        if (rawUri != null && (rawUri.contains("%2F") || rawUri.contains("%2f"))) {
            throw ProxyException.invalidRequest("the path holds an encoded slash (%2F), which servers read differently;"
                    + " a model id with '/' goes after a '~' segment, verbatim: .../<upstream path>/~/<org>/<model>/v1/messages");
        }
    }

    private ParsedPath parse(String path) {
        try {
            return PathParser.parse(path, gateway.settings()::upstream);
        } catch (RouteNotFoundException e) {
            throw new ProxyException(ErrorType.NOT_FOUND, e.getMessage());
        }
    }

    /**
     * Enforces {@code CLIENT_AUTH}: 401 {@code authentication_error} for a request that does not
     * pass. A token's user is the request's user.
     */
    private void authenticate(HttpServletRequest clientToProxyRequest, Trace trace) {
        authenticate(clientToProxyRequest, trace, ClientRequests.key(clientToProxyRequest));
    }

    /** @param presented the key or token the caller presented */
    private void authenticate(HttpServletRequest clientToProxyRequest, Trace trace, Optional<Secret> presented) {
        ClientAuth auth = gateway.settings().clientAuth();
        if (tokens.isPresent() || sessions.isPresent()) {
            Identity identity = tokens.isPresent() ? tokens.get().verify(presented) : sessions.get().verify(presented);
            trace.user = Trace.clean(identity.user().strip());
            trace.groups = identity.groups();
            return;
        }
        String refusal = switch (auth.mode()) {
            case NONE, JWT, SSO -> null;
            case KEYS -> auth.acceptsKey(presented) ? null
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
        trace.groups = groups(clientToProxyRequest, auth, presented);
    }

    /**
     * The caller's groups, without an identity token: the server's roles among the groups the
     * policy and {@code USAGE_ADMINS} name, or, behind an SSO front, its groups header (trusted as
     * its user header is), or the groups of the client key it presented ({@code CLIENT_KEY_GROUPS}).
     */
    private List<String> groups(HttpServletRequest clientToProxyRequest, ClientAuth auth, Optional<Secret> presented) {
        if (auth.mode() == ClientAuth.Mode.KEYS) {
            return auth.groupsOfKey(presented);
        }
        if (auth.mode() == ClientAuth.Mode.HEADER) {
            return ClientRequests.header(clientToProxyRequest, auth.groupsHeader())
                    .map(header -> java.util.Arrays.stream(header.split(",")).map(String::strip)
                            .filter(group -> !group.isEmpty()).limit(100).toList())
                    .orElse(List.of());
        }
        if (clientToProxyRequest.getUserPrincipal() == null) {
            return List.of();
        }
        java.util.Set<String> named = new java.util.LinkedHashSet<>(accounting.policy().groupNames());
        named.addAll(gateway.settings().usage().admins());
        named.addAll(gateway.settings().groupModels().byGroup().keySet());
        return named.stream().filter(role -> !role.equals("*") && clientToProxyRequest.isUserInRole(role)).toList();
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

    /** The webapp's work directory (the container's), where the embedded ledger database lives. */
    private static java.nio.file.Path workDirectory(ServletContext context) {
        Object given = context.getAttribute(ServletContext.TEMPDIR);
        return given instanceof java.io.File directory ? directory.toPath()
                : java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** {@code SESSION_SECRET}, else a random key: sessions then hold on this instance until it restarts. */
    private static byte[] sessionKey(SignIn sso) {
        return keyOf(sso.sessionSecret(), Settings.SESSION_SECRET, "sign-in sessions hold");
    }

    /** Without a configured secret, a random one: signatures then hold for this instance until it restarts. */
    private static ThinkingSigner signatures(Settings settings) {
        return new ThinkingSigner(keyOf(settings.thinkingSecret(), Settings.THINKING_SIGNATURE_SECRET,
                "thinking blocks verify"));
    }

    /**
     * A configured secret's bytes, else 32 random ones, said once in the log: what they sign then
     * {@code holds} on this instance until it restarts.
     */
    private static byte[] keyOf(Optional<Secret> configured, String setting, String holds) {
        if (configured.isPresent()) {
            return configured.get().reveal().getBytes(StandardCharsets.UTF_8);
        }
        LOG.info(setting + " is not set: " + holds + " on this instance until it restarts; set one shared secret for a"
                + " cluster");
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return random;
    }
}
