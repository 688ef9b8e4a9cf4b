package dev.claudeproxy.servlet;

import dev.claudeproxy.anthropic.InvalidMessagesRequestException;
import dev.claudeproxy.anthropic.Message;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.anthropic.RequestTooLargeException;
import dev.claudeproxy.call.Answered;
import dev.claudeproxy.call.Bodies;
import dev.claudeproxy.call.CallPolicy;
import dev.claudeproxy.call.Cancellation;
import dev.claudeproxy.call.CancelledException;
import dev.claudeproxy.call.Deadlines;
import dev.claudeproxy.config.Secret;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.convert.Attribution;
import dev.claudeproxy.convert.AutoModeChecks;
import dev.claudeproxy.convert.MessageEvents;
import dev.claudeproxy.convert.ResponseConverter;
import dev.claudeproxy.convert.ResponsesAnswers;
import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.convert.StopSequences;
import dev.claudeproxy.convert.StreamConverter;
import dev.claudeproxy.provider.Target;
import dev.claudeproxy.convert.UpstreamChunks;
import dev.claudeproxy.convert.UsageEstimate;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.error.UpstreamErrors;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.openai.ChatCompletionReader;
import dev.claudeproxy.route.ParsedPath;
import dev.claudeproxy.route.RouteNotFoundException;
import dev.claudeproxy.route.Routes;
import dev.claudeproxy.route.Routes.Route;
import dev.claudeproxy.sse.EventTooLargeException;
import dev.claudeproxy.sse.SseParser;
import dev.claudeproxy.upstream.AnswerTooLargeException;
import dev.claudeproxy.upstream.Heartbeat;
import dev.claudeproxy.upstream.UpstreamAnswer;
import dev.claudeproxy.upstream.UpstreamAnswer.Piece;
import jakarta.json.JsonValue;
import jakarta.json.JsonException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One {@code POST /v1/messages}, from its request body (already read) to the last byte of its
 * answer, on one worker thread. {@link #run()} is the pipeline: read the request, route it, call
 * the upstream ({@link CallPolicy}), answer (a stream event by event, or one JSON message), and
 * complete the request on every path.
 *
 * <p>One thread does everything that touches the client: it waits for the upstream's body with a
 * deadline ({@link UpstreamAnswer#next}) and, when the keep-alive deadline passes first, writes the
 * {@code ping} itself; when the silence or exchange deadline passes, it writes the error itself.
 * The only thing another thread does is {@link #cancel()}: the container reports that the client
 * has gone, and the upstream call stops in whatever phase it is.
 */
final class Exchange implements Runnable {

    static final String REQUEST_ID_HEADER = "request-id";
    /** The status logged for a request whose client left before the gateway could answer (nginx's 499). */
    static final int CLIENT_CLOSED_REQUEST = 499;
    /** The error type logged for a request whose client left. */
    static final String CLIENT_GONE = "client_gone";

    private static final Logger LOG = Logger.getLogger(Exchange.class.getName());
    /** How long the end of an answer's body is awaited once its stream is over. */
    private static final long DRAIN_NANOS = 1_000_000_000L;

    private final ReadBody body;
    private final Optional<Secret> clientKey;
    private final ParsedPath path;
    private final Gateway gateway;
    private final Settings settings;
    private final Trace trace;
    private final ClientStream client;
    private final boolean clientRetrying;
    private final Cancellation cancellation = new Cancellation();

    /**
     * @param clientKey the client's key, when it may go upstream at all
     * @param clientRetrying the client says the request is its own retry: the gateway then does not retry
     */
    Exchange(ReadBody body, Optional<Secret> clientKey, ParsedPath path, Gateway gateway, Trace trace,
             ClientStream client, boolean clientRetrying) {
        this.clientRetrying = clientRetrying;
        this.body = body;
        this.clientKey = clientKey;
        this.path = path;
        this.gateway = gateway;
        this.settings = gateway.settings();
        this.trace = trace;
        this.client = client;
    }

    /** The client has gone (called by the container, on its thread): stops the upstream work at once. */
    void cancel() {
        cancellation.cancel();
    }

    @Override
    public void run() {
        Answered answered = null;
        boolean gone = false;
        try {
            MessagesRequest clientRequest = read();
            boolean autoModeCheck = AutoModeChecks.isOne(clientRequest);
            if (autoModeCheck && clientRequest.thinking().isEmpty()) {
                // A check wants its verdict in its first tokens: a reasoning model gets its least effort, as
                // Claude Code asks of its own models by turning thinking off.
                clientRequest = clientRequest.withThinking(new MessagesRequest.Thinking("disabled", 0));
            }
            Deadlines deadlines = autoModeCheck ? Deadlines.ofAutoModeCheckStartingNow(settings.timeouts())
                    : Deadlines.startingNow(settings.timeouts());
            Route primary = route(clientRequest, autoModeCheck);
            Heartbeat heartbeat = clientRequest.stream() ? new Pings(deadlines) : Heartbeat.NONE;
            answered = gateway.calls().call(new CallPolicy.Request(clientRequest, primary, path.route(), clientKey,
                    clientRetrying, deadlines, cancellation, trace.requestId, this::trace, heartbeat,
                    attribution(clientRequest),
                    this::permitted));
            // The request's bytes are not needed any more: what the answer needs is kept below.
            body.release();
            UsageEstimate estimate = new UsageEstimate(clientRequest, answered.route().model());
            if (clientRequest.stream()) {
                streamBack(answered, clientRequest, estimate, deadlines);
            } else {
                answerBack(answered, clientRequest, estimate, deadlines);
            }
        } catch (ProxyException failure) {
            LOG.fine(() -> trace.requestId + " failed: " + failure.type().wireName() + " " + failure.getMessage());
            client.fail(failure);
        } catch (ClientGoneException | CancelledException left) {
            LOG.log(Level.FINE, trace.requestId + ": the client went away; upstream call stopped", left);
            gone = true;
            if (left instanceof ClientGoneException) {
                client.tellIfStillListening();
            }
            trace.errorType = CLIENT_GONE;
        } catch (RuntimeException bug) {
            LOG.log(Level.SEVERE, trace.requestId + " failed inside the gateway", bug);
            client.fail(ProxyException.internal(trace.requestId));
        } finally {
            if (answered != null) {
                answered.answer().close();
            }
            body.release();
            gateway.telemetry().finish(trace, client.status(gone), client::complete);
        }
    }

    /**
     * A stream's heartbeat while it waits for its upstream: once the client has had nothing
     * for the keep-alive interval, the stream is committed (200 and its headers) and pinged, and
     * pinged again at each interval. An upstream failure that comes sooner is still a plain HTTP
     * error, which the SDKs retry; one that comes later is an SSE {@code error} event. The ping that
     * cannot be written finds a client that has left, so that its upstream call is stopped: no
     * servlet container reports a departed client until something is written to it.
     */
    private final class Pings implements Heartbeat {
        private final Deadlines deadlines;

        Pings(Deadlines deadlines) {
            this.deadlines = deadlines;
        }

        @Override
        public long due() {
            return deadlines.keepAliveAt(client.lastByteNanos());
        }

        @Override
        public void beat() {
            client.keepAlive();
        }
    }

    /**
     * Whom the request is for: the session the client named, else the one in its metadata (which
     * the request log then shows too), and the user the gateway authenticated.
     */
    private Attribution attribution(MessagesRequest clientRequest) {
        Attribution known = new Attribution(known(trace.session), known(trace.user)).orFrom(clientRequest);
        if (trace.session.equals("-")) {
            trace.session = known.session().map(Trace::clean).orElse("-");
        }
        return known;
    }

    private static Optional<String> known(String traced) {
        return traced.equals("-") ? Optional.empty() : Optional.of(traced);
    }

    private void trace(Route route) {
        trace.routeKind = route.tier().map(tier -> tier.name().toLowerCase(Locale.ROOT)).orElse("path");
        trace.upstream = route.authority();
        trace.upstreamHost = route.host();
        trace.model = route.model();
    }

    private MessagesRequest read() {
        try {
            return MessagesRequestReader.read(body.bytes(), body);
        } catch (InvalidMessagesRequestException e) {
            throw ProxyException.invalidRequest(e.getMessage());
        } catch (RequestTooLargeException e) {
            throw new ProxyException(ErrorType.REQUEST_TOO_LARGE, e.getMessage());
        }
    }

    /** Whether the user's groups may use this route's model ({@code GROUP_MODELS}): the primary route and each fallback. */
    private boolean permitted(Route route) {
        return settings.groupModels().allows(trace.groups, route.host(), route.model())
                && trace.limits.allows(route.host(), route.model());
    }

    private Route route(MessagesRequest clientRequest, boolean autoModeCheck) {
        trace.stream = clientRequest.stream();
        trace.autoModeCheck = autoModeCheck;
        Route route;
        try {
            route = Routes.resolve(path.route(), clientRequest.model(), autoModeCheck, settings, clientKey);
        } catch (RouteNotFoundException e) {
            throw new ProxyException(ErrorType.NOT_FOUND, e.getMessage());
        }
        if (route.checked()) {
            Optional<String> refusal = gateway.guard().refusal(route.host(), route.origin().port());
            if (refusal.isPresent()) {
                throw new ProxyException(ErrorType.PERMISSION, refusal.get());
            }
        }
        if (!permitted(route)) {
            // 400, never 401 or 403, which Claude Code reads as "sign in again".
            throw ProxyException.invalidRequest(settings.groupModels().allows(trace.groups, route.host(), route.model())
                    ? trace.limits.refusal(route.host(), route.model())
                    : settings.groupModels().refusal(trace.groups, route.host(), route.model()));
        }
        return route;
    }

    /**
     * Non-streaming: one JSON answer converted to one Anthropic message; an upstream that streams
     * anyway has its whole stream converted and accumulated into the message.
     */
    private void answerBack(Answered answered, MessagesRequest clientRequest, UsageEstimate estimate, Deadlines deadlines) {
        Message message;
        if (answered.answer().isEventStream()) {
            int maxEventBytes = settings.limits().maxEventBytes();
            StreamConverter converter = new StreamConverter(clientRequest.model(),
                    StopSequences.of(clientRequest.stopSequences(), answered.target()), answered.target(), estimate,
                    maxEventBytes);
            List<StreamEvent> events = new ArrayList<>(converter.start());
            UpstreamChunks.convertAll(readBody(answered.answer(), deadlines), converter,
                    answered.target().dialect(), maxEventBytes, events::addAll);
            message = MessageEvents.message(events);
        } else {
            message = completedMessage(answered, clientRequest, estimate, deadlines);
        }
        trace.inputTokens = message.usage().inputTokens();
        trace.cachedTokens = message.usage().cacheReadInputTokens();
        trace.outputTokens = message.usage().outputTokens();
        client.answerJson(200, Json.write(message));
    }

    private byte[] readBody(UpstreamAnswer answer, Deadlines deadlines) {
        try {
            return Bodies.read(answer, Integer.MAX_VALUE, deadlines);
        } catch (IOException e) {
            throw upstreamBroke(e);
        }
    }

    /** A whole (not streamed) upstream answer, read and converted to one Anthropic message. */
    private Message completedMessage(Answered answered, MessagesRequest clientRequest, UsageEstimate estimate,
                                     Deadlines deadlines) {
        UpstreamAnswer answer = answered.answer();
        byte[] completionBody = readBody(answer, deadlines);
        ResponsesAnswers.Answer read;
        try {
            String text = new String(completionBody, StandardCharsets.UTF_8);
            read = answered.target().dialect() == Dialect.RESPONSES ? ResponsesAnswers.read(text)
                    : ResponsesAnswers.Answer.of(ChatCompletionReader.read(text));
        } catch (JsonException e) {
            // Never relayed: an unknown body may be an internal page, secrets and all.
            throw ProxyException.noRetry(502, ErrorType.API, "upstream answered " + answer.status() + " with "
                    + completionBody.length + " bytes of " + answer.contentType() + " that are not a "
                    + (answered.target().dialect() == Dialect.RESPONSES ? "Responses API response" : "chat completion"));
        }
        ChatCompletion completion = read.completion();
        if (completion.error() != null && completion.error().getValueType() != JsonValue.ValueType.NULL) {
            throw new ProxyException(502, ErrorType.API, "upstream error: " + UpstreamErrors.messageOf(completion.error(), answered.target().relaysErrors()),
                    Map.of());
        }
        return ResponseConverter.toMessage(read, clientRequest.model(),
                StopSequences.of(clientRequest.stopSequences(), answered.target()), answered.target(), estimate);
    }

    /**
     * Streaming: commits 200 and {@code message_start} at once, then reads the upstream's events,
     * converts them and writes them, flushing whenever the upstream has nothing more ready. The
     * pings of a silent stream are the clock's to send (the heartbeat the call was given). An
     * upstream that answers a stream request with one JSON document is converted whole and
     * replayed as events.
     */
    private void streamBack(Answered answered, MessagesRequest clientRequest, UsageEstimate estimate, Deadlines deadlines) {
        UpstreamAnswer answer = answered.answer();
        Target target = answered.target();
        if (!answer.isEventStream()) {
            Message message = completedMessage(answered, clientRequest, estimate, deadlines);
            client.openEvents();
            client.send(MessageEvents.of(message));
            client.flush();
            return;
        }
        int maxEventBytes = settings.limits().maxEventBytes();
        StreamConverter converter = new StreamConverter(clientRequest.model(),
                StopSequences.of(clientRequest.stopSequences(), target), target, estimate, maxEventBytes);
        UpstreamChunks chunks = new UpstreamChunks(converter, target.dialect(), client::send);
        SseParser parser = new SseParser(maxEventBytes);
        client.openEvents();
        client.send(converter.start());
        client.flush();
        // Silence is counted in events, not bytes: an upstream that sends bytes that make none must not put it off.
        long silenceEnd = deadlines.silenceEnd(System.nanoTime());
        boolean bodyEnded = false;
        while (!chunks.over()) {
            Piece piece = answer.next(silenceEnd);
            if (piece instanceof UpstreamAnswer.Data data) {
                if (feed(parser, data, chunks)) {
                    silenceEnd = deadlines.silenceEnd(System.nanoTime());
                }
                if (!answer.hasReady() || chunks.over()) {
                    // Converted events leave together, once the upstream has nothing more ready: one write a burst.
                    client.flush();
                }
            } else if (piece instanceof UpstreamAnswer.End) {
                bodyEnded = true;
                finish(parser, chunks);
                client.flush();
            } else if (piece instanceof UpstreamAnswer.Failed failed) {
                throw upstreamBroke(failed.failure());
            } else {
                throw Bodies.timedOut(deadlines);
            }
        }
        if (!bodyEnded) {
            drain(answer, Math.min(System.nanoTime() + DRAIN_NANOS, deadlines.exchangeEnd()));
        }
    }

    /**
     * After {@code [DONE]} or an error event, the rest of the body (usually nothing but its end) is
     * read for a moment, so the connection goes back to the pool instead of being dropped.
     */
    private static void drain(UpstreamAnswer answer, long deadlineNanos) {
        Piece piece = answer.next(deadlineNanos);
        while (piece instanceof UpstreamAnswer.Data) {
            piece = answer.next(deadlineNanos);
        }
        answer.close();
    }

    /** @return whether the bytes made at least one upstream event: progress, for the silence deadline */
    private static boolean feed(SseParser parser, UpstreamAnswer.Data data, UpstreamChunks chunks) {
        boolean[] progressed = new boolean[1];
        try {
            parser.feed(ByteBuffer.wrap(data.bytes(), 0, data.length()), event -> {
                progressed[0] = true;
                chunks.accept(event);
            });
        } catch (EventTooLargeException e) {
            throw eventTooLarge(e);
        }
        return progressed[0];
    }

    private static void finish(SseParser parser, UpstreamChunks chunks) {
        try {
            parser.finish(chunks::accept);
        } catch (EventTooLargeException e) {
            throw eventTooLarge(e);
        }
        chunks.end(false);
    }

    private static ProxyException eventTooLarge(EventTooLargeException e) {
        return ProxyException.noRetry(502, ErrorType.API, "upstream sent a stream line or event longer than " + e.limit()
                + " bytes, this gateway's limit (" + Settings.UPSTREAM_MAX_EVENT_BYTES + ")");
    }

    /** A body that stopped coming: the client's leaving, the answer's bound, or the upstream's connection. */
    private ProxyException upstreamBroke(IOException failure) {
        if (cancellation.isCancelled()) {
            throw new CancelledException("the client left while the answer arrived", failure);
        }
        if (failure instanceof AnswerTooLargeException tooLarge) {
            return ProxyException.noRetry(502, ErrorType.API, "upstream answer passed " + tooLarge.limit()
                    + " bytes, this gateway's limit (" + Settings.UPSTREAM_MAX_ANSWER_BYTES + ")");
        }
        LOG.log(Level.FINE, trace.requestId + ": the upstream answer broke off", failure);
        return new ProxyException(502, ErrorType.API, "upstream connection failed mid-answer ("
                + failure.getClass().getSimpleName() + ")", Map.of());
    }
}
