package dev.claudeproxy.servlet;

import dev.claudeproxy.anthropic.InvalidMessagesRequestException;
import dev.claudeproxy.anthropic.Message;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.config.Secret;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.convert.MaxTokensLimit;
import dev.claudeproxy.convert.MessageEvents;
import dev.claudeproxy.convert.Profile;
import dev.claudeproxy.convert.RequestConverter;
import dev.claudeproxy.convert.ResponseConverter;
import dev.claudeproxy.convert.StreamConverter;
import dev.claudeproxy.convert.Target;
import dev.claudeproxy.convert.UpstreamChunks;
import dev.claudeproxy.convert.UsageEstimate;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.error.Redaction;
import dev.claudeproxy.error.UpstreamErrors;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.openai.ChatRequest;
import dev.claudeproxy.route.ParsedPath;
import dev.claudeproxy.route.RouteNotFoundException;
import dev.claudeproxy.route.Routes;
import dev.claudeproxy.route.Routes.Route;
import dev.claudeproxy.sse.EventTooLargeException;
import dev.claudeproxy.sse.SseReader;
import dev.claudeproxy.sse.SseWriter;
import dev.claudeproxy.upstream.AnswerTooLargeException;
import dev.claudeproxy.upstream.RetryPolicy;
import dev.claudeproxy.upstream.UpstreamFailure;
import dev.claudeproxy.upstream.UpstreamResponse;
import jakarta.json.JsonValue;
import jakarta.json.bind.JsonbException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One {@code POST /v1/messages} from the client to the upstream and back, run on a worker thread
 * after the servlet has started async processing. {@link #run()} is the pipeline: read the client's
 * request, route it, convert it, call the upstream, then convert its answer (a stream event by
 * event, flushing each) and complete the {@link AsyncContext} on every path.
 *
 * <p>The response status is held back until the upstream has answered 200, so that an upstream
 * failure before that becomes a plain HTTP error the SDKs retry; after it, failures become an SSE
 * {@code error} event. Single use; {@link #abort()} may be called from a container thread when the
 * client's connection fails, and closes the upstream connection.
 */
final class Exchange implements Runnable {

    static final String REQUEST_ID_HEADER = "request-id";
    /** The status logged for a request whose client left before the gateway could answer (nginx's 499). */
    static final int CLIENT_CLOSED_REQUEST = 499;
    /** The error type logged for a request whose client left. */
    static final String CLIENT_GONE = "client_gone";

    private static final Logger LOG = Logger.getLogger(Exchange.class.getName());

    /** Completes the {@link AsyncContext}, or nothing when the exchange runs on the container's thread. */
    private final Runnable complete;
    private final HttpServletRequest clientToProxyRequest;
    private final HttpServletResponse proxyToClientResponse;
    private final ParsedPath path;
    private final Gateway gateway;
    private final Settings settings;
    private final String requestId;
    private final AtomicReference<UpstreamResponse> openUpstreamResponse = new AtomicReference<>();
    /** Guards {@link #stream}: events come from the exchange's thread, pings from the keep-alive timer. */
    private final ReentrantLock streamLock = new ReentrantLock();
    private volatile long lastWriteNanos;
    private ScheduledFuture<?> keepAlive;
    private volatile SseWriter stream;
    private final Trace trace;
    /** The client's key when it may go upstream (not when it is the gateway's own credential). */
    private Optional<Secret> forwardableKey = Optional.empty();

    /** Call {@code gateway.telemetry().started()} first: the exchange ends it when it has run. */
    Exchange(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse, Runnable complete,
             ParsedPath path, Gateway gateway, Trace trace) {
        this.complete = complete;
        this.clientToProxyRequest = clientToProxyRequest;
        this.proxyToClientResponse = proxyToClientResponse;
        this.path = path;
        this.gateway = gateway;
        this.settings = gateway.settings();
        this.requestId = trace.requestId;
        this.trace = trace;
    }

    @Override
    public void run() {
        try {
            MessagesRequest clientRequest = readClientRequest();
            Answered answered = callWithFallbacks(clientRequest, route(clientRequest));
            Target target = answered.target();
            UpstreamResponse serverToProxyResponse = answered.response();
            UsageEstimate estimate = new UsageEstimate(clientRequest, answered.route().model());
            if (clientRequest.stream()) {
                streamBack(serverToProxyResponse, clientRequest, target, estimate);
            } else {
                answerBack(serverToProxyResponse, clientRequest, target, estimate);
            }
        } catch (ProxyException failure) {
            LOG.fine(() -> requestId + " failed: " + failure.type().wireName() + " " + failure.getMessage());
            fail(failure);
        } catch (ClientGoneException gone) {
            LOG.log(Level.FINE, requestId + ": client went away; upstream call closed", gone.getCause());
            trace.errorType = CLIENT_GONE;
            tellAClientThatMayStillListen();
        } catch (RuntimeException bug) {
            LOG.log(Level.SEVERE, requestId + " failed inside the gateway", bug);
            fail(new ProxyException(ErrorType.API, "internal gateway error (request " + requestId + ")"));
        } finally {
            if (keepAlive != null) {
                keepAlive.cancel(false);
            }
            closeUpstream();
            int status = CLIENT_CLOSED_REQUEST;
            try {
                // A client that left is logged as 499, whatever status the container set on the failed write.
                status = CLIENT_GONE.equals(trace.errorType) ? CLIENT_CLOSED_REQUEST : proxyToClientResponse.getStatus();
                complete.run();
            } catch (RuntimeException alreadyCompleted) {
                // When the client's connection fails first, the container ends the async cycle itself and
                // recycles the request and response, whose methods then throw.
                LOG.log(Level.FINE, requestId + ": the container had already completed the request", alreadyCompleted);
            } finally {
                gateway.telemetry().finished(trace, status);
                gateway.telemetry().ended();
            }
        }
    }

    /**
     * After a failed read or write on the client's connection, answers an error anyway: were the
     * connection still open, completing the request would end it as a clean, empty or cut 200,
     * which a client takes for a whole answer. On a connection that has really gone this fails
     * quietly; the container may already have recycled the response.
     */
    private void tellAClientThatMayStillListen() {
        try {
            if (stream == null && proxyToClientResponse.isCommitted()) {
                return; // a cut JSON body: the client's parser already reports it
            }
            ErrorResponder.send(proxyToClientResponse, stream, new ProxyException(ErrorType.API,
                    "the gateway lost its connection to the client (request " + requestId + ")"));
        } catch (RuntimeException recycled) {
            LOG.log(Level.FINE, requestId + ": the response was already recycled", recycled);
        }
    }

    private void fail(ProxyException failure) {
        trace.errorType = failure.type().wireName();
        trace.firstByte();
        ErrorResponder.send(proxyToClientResponse, stream, failure);
    }

    /** Closes the upstream connection now; called when the client has gone. Safe from any thread. */
    void abort() {
        closeUpstream();
    }

    private MessagesRequest readClientRequest() {
        byte[] clientBody = ClientRequests.body(clientToProxyRequest, settings.limits().maxRequestBytes());
        try {
            return MessagesRequestReader.read(clientBody);
        } catch (InvalidMessagesRequestException e) {
            throw ProxyException.invalidRequest(e.getMessage());
        }
    }

    private Target target(Route route) {
        Profile profile = Profile.of(route.host(), route.chatCompletions().getPort(), route.model(), settings.profileByHost());
        return new Target(route.model(), route.authority(), profile,
                settings.maxOutputTokensFor(route.host(), profile.knownOutputLimit(route.model())), gateway.signatures());
    }

    private ChatRequest convert(MessagesRequest clientRequest, Target target) {
        try {
            return RequestConverter.toChatRequest(clientRequest, target);
        } catch (InvalidMessagesRequestException e) {
            throw ProxyException.invalidRequest(e.getMessage());
        }
    }

    private Route route(MessagesRequest clientRequest) {
        trace.stream = clientRequest.stream();
        forwardableKey = settings.clientAuth().forwardsClientKey()
                ? ClientRequests.key(clientToProxyRequest) : Optional.empty();
        Route route;
        try {
            route = Routes.resolve(path.route(), clientRequest.model(), settings, forwardableKey);
        } catch (RouteNotFoundException e) {
            throw new ProxyException(ErrorType.NOT_FOUND, e.getMessage());
        }
        if (route.fromPath()) {
            Optional<String> refusal = gateway.guard().refusal(route.host(), route.origin().port());
            if (refusal.isPresent()) {
                throw new ProxyException(ErrorType.PERMISSION, refusal.get());
            }
        }
        return route;
    }

    /** The upstream's answer, and the route and conversion that got it. */
    private record Answered(Route route, Target target, UpstreamResponse response) {
    }

    /**
     * Calls the route, with retries; when it still fails with a retryable error, its fallback
     * routes in order. A server route that just failed is passed over, while its cooldown lasts,
     * for the next one (never the last). The request is converted anew for each route, whose
     * provider may differ.
     */
    private Answered callWithFallbacks(MessagesRequest clientRequest, Route primary) {
        List<Route> candidates = new ArrayList<>();
        candidates.add(primary);
        candidates.addAll(Routes.fallbacks(primary, settings, forwardableKey, path.route()));
        boolean tracked = candidates.size() > 1;
        for (int i = 0; ; i++) {
            Route route = candidates.get(i);
            boolean last = i == candidates.size() - 1;
            if (tracked && !last && gateway.breaker().isOpen(route.identity())) {
                LOG.fine(() -> requestId + ": passing over " + route.authority() + ", which failed moments ago");
                continue;
            }
            trace.routeKind = route.tier().map(tier -> tier.name().toLowerCase(Locale.ROOT)).orElse("path");
            trace.upstream = route.authority();
            trace.model = route.model();
            Target target = target(route);
            ChatRequest proxyToServerRequest = convert(clientRequest, target);
            try {
                UpstreamResponse answer = callWithRetries(route, target.profile(), proxyToServerRequest);
                if (tracked) {
                    gateway.breaker().succeeded(route.identity());
                }
                return new Answered(route, target, answer);
            } catch (RetryableFailure failure) {
                if (tracked) {
                    gateway.breaker().failed(route.identity());
                }
                if (last) {
                    throw failure.error;
                }
                Route next = candidates.get(i + 1);
                LOG.info(() -> requestId + ": upstream " + route.authority() + " failed (" + failure.error.getMessage()
                        + "); falling back to " + next.authority() + " model " + next.model());
            }
        }
    }

    /** Calls once, and again after a retryable failure while the retry policy allows. */
    private UpstreamResponse callWithRetries(Route route, Profile profile, ChatRequest proxyToServerRequest) {
        for (int retry = 1; ; retry++) {
            try {
                return call(route, profile, proxyToServerRequest);
            } catch (RetryableFailure failure) {
                Optional<Duration> wait = settings.retryPolicy().delay(retry, failure.retryAfter,
                        ThreadLocalRandom.current()::nextDouble);
                if (wait.isEmpty()) {
                    throw failure;
                }
                int number = retry;
                LOG.info(() -> requestId + ": upstream " + route.authority() + " failed (" + failure.error.getMessage()
                        + "); retry " + number + " in " + wait.get().toMillis() + " ms");
                try {
                    Thread.sleep(wait.get().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure.error;
                }
            }
        }
    }

    /** An upstream failure worth another try: no connection, or 429/502/503/504. */
    private static final class RetryableFailure extends RuntimeException {
        private final ProxyException error;
        private final Optional<String> retryAfter;

        RetryableFailure(ProxyException error, Optional<String> retryAfter) {
            super(error.getMessage(), error, false, false);
            this.error = error;
            this.retryAfter = retryAfter;
        }
    }

    /**
     * Sends the request; an upstream that refuses the {@code max_tokens} value and names its limit
     * gets it once more within that limit. Any other non-2xx answer becomes the client's error.
     */
    private UpstreamResponse call(Route route, Profile profile, ChatRequest proxyToServerRequest) {
        UpstreamResponse answer = post(route, profile, proxyToServerRequest);
        if (isSuccess(answer)) {
            return answer;
        }
        String errorBody = errorBody(answer);
        if (answer.status() == 400 || answer.status() == 422) {
            OptionalInt limit = MaxTokensLimit.fromError(UpstreamErrors.readableMessage(errorBody).orElse(errorBody),
                    proxyToServerRequest.outputLimit());
            if (limit.isPresent()) {
                LOG.info(() -> requestId + ": upstream refused an output limit of " + proxyToServerRequest.outputLimit()
                        + " tokens; retrying with its limit " + limit.getAsInt());
                answer = post(route, profile, proxyToServerRequest.withOutputLimit(limit.getAsInt()));
                if (isSuccess(answer)) {
                    return answer;
                }
                errorBody = errorBody(answer);
            }
        }
        ProxyException error = told(route, UpstreamErrors.fromStatus(answer.status(), errorBody, answer.contentType(),
                answer.header("retry-after")));
        if (RetryPolicy.retryableStatus(answer.status())) {
            throw new RetryableFailure(error, answer.header("retry-after"));
        }
        throw error;
    }

    /**
     * An upstream's error as the client may hear it: never repeating the key the upstream was sent
     * (some echo it), and saying which setting gives a keyless route its key when that was the problem.
     */
    private static ProxyException told(Route route, ProxyException error) {
        String message = route.key().map(key -> Redaction.redact(error.getMessage(), key.reveal()))
                .orElse(error.getMessage());
        if (route.key().isEmpty() && (error.status() == 401 || error.status() == 403)) {
            message += " (" + route.missingKeyAdvice() + ")";
        }
        return message.equals(error.getMessage()) ? error : error.withMessage(message);
    }

    private UpstreamResponse post(Route route, Profile profile, ChatRequest proxyToServerRequest) {
        String json = Json.write(proxyToServerRequest);
        try {
            UpstreamResponse answer = gateway.upstream().post(
                    profile.requestUri(route.chatCompletions(), settings.azureApiVersion()), route.key(),
                    profile.keyHeader(), json, Boolean.TRUE.equals(proxyToServerRequest.stream()));
            openUpstreamResponse.set(answer);
            return answer;
        } catch (UpstreamFailure failure) {
            throw switch (failure.kind()) {
                case TIMEOUT -> new ProxyException(ErrorType.TIMEOUT, failure.getMessage());
                case UNREACHABLE -> new RetryableFailure(new ProxyException(502, ErrorType.API, failure.getMessage(),
                        Map.of()), Optional.empty());
            };
        }
    }

    private static boolean isSuccess(UpstreamResponse answer) {
        return answer.status() >= 200 && answer.status() < 300;
    }

    private String errorBody(UpstreamResponse answer) {
        try {
            return answer.errorText();
        } catch (IOException e) {
            return "(the error body could not be read: " + e.getClass().getSimpleName() + ")";
        } finally {
            closeUpstream();
        }
    }

    /** Non-streaming: one JSON answer converted to one Anthropic message. */
    private void answerBack(UpstreamResponse serverToProxyResponse, MessagesRequest clientRequest, Target target,
                            UsageEstimate estimate) {
        Message message = ResponseConverter.toMessage(readCompletion(serverToProxyResponse), clientRequest.model(),
                clientRequest.stopSequences(), target, estimate);
        trace.inputTokens = message.usage().inputTokens();
        trace.outputTokens = message.usage().outputTokens();
        trace.firstByte();
        try {
            JsonResponse.write(proxyToClientResponse, 200, Json.write(message));
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    private ChatCompletion readCompletion(UpstreamResponse serverToProxyResponse) {
        byte[] body;
        try {
            body = serverToProxyResponse.readAll(settings.limits().maxAnswerBytes());
        } catch (AnswerTooLargeException e) {
            throw answerTooLarge(e);
        } catch (IOException e) {
            throw new ProxyException(502, ErrorType.API, "upstream answer could not be read: "
                    + e.getClass().getSimpleName(), Map.of());
        }
        ChatCompletion completion;
        try {
            completion = Json.read(new String(body, StandardCharsets.UTF_8), ChatCompletion.class);
        } catch (JsonbException e) {
            // Never relayed: an unknown body may be an internal page, secrets and all.
            throw new ProxyException(502, ErrorType.API, "upstream answered " + serverToProxyResponse.status() + " with "
                    + body.length + " bytes of " + serverToProxyResponse.contentType() + " that are not a chat completion",
                    Map.of());
        }
        if (completion.error() != null && completion.error().getValueType() != JsonValue.ValueType.NULL) {
            throw new ProxyException(502, ErrorType.API, "upstream error: " + UpstreamErrors.messageOf(completion.error()),
                    Map.of());
        }
        return completion;
    }

    private ProxyException answerTooLarge(AnswerTooLargeException e) {
        return new ProxyException(502, ErrorType.API, "upstream answer passed " + e.limit()
                + " bytes, this gateway's limit (" + Settings.UPSTREAM_MAX_ANSWER_BYTES + ")", Map.of());
    }

    /**
     * Streaming: commits 200 and {@code message_start} at once, then converts upstream events as
     * they arrive. An upstream that answers a stream request with one JSON document is converted
     * whole and replayed as events.
     */
    private void streamBack(UpstreamResponse serverToProxyResponse, MessagesRequest clientRequest, Target target,
                            UsageEstimate estimate) {
        if (!serverToProxyResponse.isEventStream()) {
            ChatCompletion completion = readCompletion(serverToProxyResponse);
            openStream();
            send(MessageEvents.of(ResponseConverter.toMessage(completion, clientRequest.model(),
                    clientRequest.stopSequences(), target, estimate)));
            flush();
            return;
        }
        int maxEventBytes = settings.limits().maxEventBytes();
        StreamConverter converter = new StreamConverter(clientRequest.model(), clientRequest.stopSequences(), target,
                estimate, maxEventBytes);
        InputStream serverToProxyBody = serverToProxyResponse.body(settings.limits().maxAnswerBytes());
        openStream();
        send(converter.start());
        flush();
        startKeepAlive();
        try {
            // Converted events are flushed when the upstream has nothing more buffered: a burst leaves in one write.
            UpstreamChunks.pump(new SseReader(serverToProxyBody, this::flush, maxEventBytes), converter, this::send);
            flush();
        } catch (AnswerTooLargeException e) {
            throw answerTooLarge(e);
        } catch (EventTooLargeException e) {
            throw new ProxyException(ErrorType.API, "upstream sent a stream line or event longer than " + e.limit()
                    + " bytes, this gateway's limit (" + Settings.UPSTREAM_MAX_EVENT_BYTES + ")");
        } catch (IOException e) {
            if (openUpstreamResponse.get() == null) {
                throw new ClientGoneException(e);
            }
            LOG.log(Level.FINE, requestId + ": the upstream stream failed", e);
            String why = e instanceof SocketTimeoutException
                    ? "upstream sent nothing for " + settings.readTimeout().toSeconds() + " s"
                    : "upstream connection failed mid-stream (" + e.getClass().getSimpleName() + ")";
            throw new ProxyException(ErrorType.API, why);
        }
    }

    private void openStream() {
        proxyToClientResponse.setStatus(200);
        proxyToClientResponse.setContentType("text/event-stream;charset=UTF-8");
        proxyToClientResponse.setHeader("Cache-Control", "no-cache");
        // Tells nginx-style front proxies not to buffer the stream.
        proxyToClientResponse.setHeader("X-Accel-Buffering", "no");
        try {
            stream = new SseWriter(proxyToClientResponse.getOutputStream());
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    /** Writes events to the client's stream, unflushed: see {@link #flush()}. */
    private void send(List<StreamEvent> events) {
        streamLock.lock();
        try {
            for (StreamEvent event : events) {
                if (event instanceof StreamEvent.MessageDelta delta) {
                    trace.inputTokens = delta.usage().inputTokens();
                    trace.outputTokens = delta.usage().outputTokens();
                }
                stream.write(event.type(), Json.write(event));
            }
        } catch (IOException e) {
            throw new ClientGoneException(e);
        } finally {
            streamLock.unlock();
        }
    }

    /** Sends what {@link #send} wrote. */
    private void flush() {
        streamLock.lock();
        try {
            stream.flush();
            trace.firstByte();
            lastWriteNanos = System.nanoTime();
        } catch (IOException e) {
            throw new ClientGoneException(e);
        } finally {
            streamLock.unlock();
        }
    }

    /**
     * Sends {@code ping} after each {@code keepAlive} of silence: reasoning and local models can
     * think for minutes before their first token, and clients and proxies drop idle streams. A
     * failed ping means the client has gone, and closes the upstream connection at once.
     */
    private void startKeepAlive() {
        long intervalNanos = settings.keepAlive().toNanos();
        String ping = Json.write(new StreamEvent.Ping());
        keepAlive = gateway.keepAliveTimer().scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - lastWriteNanos < intervalNanos || !streamLock.tryLock()) {
                return; // recently written, or a write is under way (perhaps blocked on a slow client)
            }
            try {
                stream.write("ping", ping);
                stream.flush();
                lastWriteNanos = System.nanoTime();
            } catch (IOException e) {
                LOG.log(Level.FINE, requestId + ": keep-alive ping failed; client gone", e);
                abort();
            } finally {
                streamLock.unlock();
            }
        }, intervalNanos, intervalNanos / 2, TimeUnit.NANOSECONDS);
    }

    private void closeUpstream() {
        UpstreamResponse open = openUpstreamResponse.getAndSet(null);
        if (open != null) {
            try {
                open.close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, requestId + ": closing the upstream connection failed", e);
            }
        }
    }
}
