package dev.claudeproxy.call;

import dev.claudeproxy.anthropic.InvalidMessagesRequestException;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.config.RetryPolicy;
import dev.claudeproxy.config.Secret;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.convert.Attribution;
import dev.claudeproxy.convert.MaxTokensLimit;
import dev.claudeproxy.provider.ContextWindows;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.convert.RequestConverter;
import dev.claudeproxy.convert.ResponsesRequests;
import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.provider.Target;
import dev.claudeproxy.provider.ThinkingSigner;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.error.RetryHint;
import dev.claudeproxy.error.Redaction;
import dev.claudeproxy.error.UpstreamErrors;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatRequest;
import dev.claudeproxy.route.PathRoute;
import dev.claudeproxy.route.Routes;
import dev.claudeproxy.route.Routes.Route;
import dev.claudeproxy.route.RouteCooldowns;
import dev.claudeproxy.upstream.Heartbeat;
import dev.claudeproxy.upstream.UpstreamAnswer;
import dev.claudeproxy.upstream.UpstreamCall;
import dev.claudeproxy.upstream.UpstreamClient;
import dev.claudeproxy.upstream.UpstreamFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * How one request reaches an upstream, until the head of a 2xx answer: the route, then its
 * fallbacks in order (a server route that just failed is passed over for its fallback while its
 * cooldown lasts); for each route, the request converted for that route's provider; for each
 * conversion, retries of failures worth another try (no connection, 429, 502, 503, 504), waiting
 * as the upstream asks or with a jittered backoff; and once more within the upstream's output
 * limit when it refuses {@code max_tokens} and names its limit. Any other non-2xx answer becomes
 * the client's error, never repeating the key the upstream was sent.
 *
 * <p>Runs on the exchange's thread, blocking; every wait ends at the exchange's deadlines, and
 * {@link Cancellation} stops it in whatever phase. Thread-safe: one policy serves every exchange.
 */
public final class CallPolicy {

    private static final Logger LOG = Logger.getLogger(CallPolicy.class.getName());
    /** An error page's useful part: its message is at the start; the rest is dropped unread. */
    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    private final Settings settings;
    private final UpstreamClient client;
    private final RouteCooldowns cooldowns;
    private final ThinkingSigner signatures;
    private final DoubleSupplier random;

    /** @param random uniform in [0, 1), for the retries' jitter */
    public CallPolicy(Settings settings, UpstreamClient client, RouteCooldowns cooldowns, ThinkingSigner signatures,
                      DoubleSupplier random) {
        this.settings = settings;
        this.client = client;
        this.cooldowns = cooldowns;
        this.signatures = signatures;
        this.random = random;
    }

    /**
     * One request on its way.
     *
     * @param named the upstream the request's path named, to whose origin the client's key may go
     * @param clientKey the client's key when it may go upstream at all
     * @param clientRetrying the client says this is its own retry ({@code x-stainless-retry-count} above
     *     0): the gateway then calls each route once, so that retries do not multiply
     * @param onRoute told of each route as it is tried (for the request log)
     * @param heartbeat what every wait does whenever it is due (a stream's ping to its client)
     * @param attribution whom the request is for (its session and user), for upstreams that take hashes of them
     * @param permitted the fallback routes the user may be sent to ({@code GROUP_MODELS}); the
     *     others are passed over
     */
    public record Request(MessagesRequest clientRequest, Route primary, Optional<PathRoute> named,
                          Optional<Secret> clientKey, boolean clientRetrying, Deadlines deadlines,
                          Cancellation cancellation, String requestId, Consumer<Route> onRoute, Heartbeat heartbeat,
                          Attribution attribution, Predicate<Route> permitted) {
    }

    /**
     * @return the first 2xx answer, its body unread
     * @throws ProxyException the client's error when every route failed
     * @throws CancelledException when the exchange was cancelled meanwhile
     */
    public Answered call(Request request) {
        List<Route> candidates = new ArrayList<>();
        candidates.add(request.primary());
        Routes.fallbacks(request.primary(), settings, request.clientKey(), request.named()).stream()
                .filter(request.permitted()).forEach(candidates::add);
        boolean tracked = candidates.size() > 1;
        for (int i = 0; ; i++) {
            Route route = candidates.get(i);
            boolean last = i == candidates.size() - 1;
            if (tracked && !last && cooldowns.isCooling(route.identity())) {
                LOG.fine(() -> request.requestId() + ": passing over " + route.authority() + ", which failed moments ago");
                continue;
            }
            request.onRoute().accept(route);
            Target target = target(route);
            ChatRequest proxyToServerRequest = convert(request.clientRequest(), target, request.attribution());
            try {
                UpstreamAnswer answer = callWithRetries(request, route, target, proxyToServerRequest);
                if (tracked) {
                    cooldowns.succeeded(route.identity());
                }
                return new Answered(route, target, answer);
            } catch (RetryableFailure failure) {
                if (tracked) {
                    cooldowns.failed(route.identity());
                }
                if (last) {
                    throw failure.error;
                }
                Route next = candidates.get(i + 1);
                LOG.info(() -> request.requestId() + ": upstream " + route.authority() + " failed ("
                        + failure.error.getMessage() + "); falling back to " + next.authority() + " model " + next.model());
            }
        }
    }

    /** The upstream one conversion is for: its provider profile, output cap and signatures. */
    public Target target(Route route) {
        Profile profile = Profile.of(route.host(), route.endpoint().getPort(), route.model(), settings.profileByHost());
        return new Target(route.model(), route.authority(), profile,
                settings.maxOutputTokensFor(route.host(), profile.knownOutputLimit(route.model())), signatures,
                Profile.isProviderApi(route.host(), route.endpoint().getPort(), settings.profileByHost()),
                Dialect.of(route.endpoint(), route.model(), profile));
    }

    private static ChatRequest convert(MessagesRequest clientRequest, Target target, Attribution attribution) {
        try {
            return RequestConverter.toChatRequest(clientRequest, target, attribution);
        } catch (InvalidMessagesRequestException e) {
            throw ProxyException.invalidRequest(e.getMessage());
        }
    }

    /** Calls once, and again after a retryable failure while the retry policy and the exchange's deadline allow. */
    private UpstreamAnswer callWithRetries(Request request, Route route, Target target, ChatRequest proxyToServerRequest) {
        RetryPolicy policy = settings.retryPolicy();
        for (int retry = 1; ; retry++) {
            try {
                return callOnce(request, route, target, proxyToServerRequest);
            } catch (RetryableFailure failure) {
                Optional<Duration> wait = request.clientRetrying() ? Optional.empty()
                        : policy.delay(retry, failure.asked, random);
                long left = request.deadlines().exchangeEnd() - System.nanoTime();
                if (wait.isEmpty() || wait.get().toNanos() >= left) {
                    throw failure;
                }
                int number = retry;
                LOG.info(() -> request.requestId() + ": upstream " + route.authority() + " failed ("
                        + failure.error.getMessage() + "); retry " + number + " in " + wait.get().toMillis() + " ms");
                if (!request.cancellation().sleep(wait.get(), request.heartbeat())) {
                    throw new CancelledException("cancelled while waiting to retry", null);
                }
            }
        }
    }

    /**
     * Sends the request; an upstream that refuses the {@code max_tokens} value and names its limit
     * gets it once more within that limit. Any other non-2xx answer becomes the client's error.
     */
    private UpstreamAnswer callOnce(Request request, Route route, Target target, ChatRequest proxyToServerRequest) {
        UpstreamAnswer answer = post(request, route, target, proxyToServerRequest);
        if (answer.isSuccess()) {
            return answer;
        }
        String errorBody = errorBody(answer, request);
        if (answer.status() == 400 || answer.status() == 422) {
            OptionalInt limit = MaxTokensLimit.fromError(UpstreamErrors.readableMessage(errorBody).orElse(errorBody),
                    proxyToServerRequest.outputLimit());
            if (limit.isPresent()) {
                LOG.info(() -> request.requestId() + ": upstream refused an output limit of "
                        + proxyToServerRequest.outputLimit() + " tokens; retrying with its limit " + limit.getAsInt());
                answer = post(request, route, target, proxyToServerRequest.withOutputLimit(limit.getAsInt()));
                if (answer.isSuccess()) {
                    return answer;
                }
                errorBody = errorBody(answer, request);
            }
        }
        RetryHint hint = RetryHint.of(answer::header);
        ProxyException error = told(route, UpstreamErrors.fromStatus(answer.status(), errorBody, answer.contentType(), hint,
                target.relaysErrors()));
        if (error.getMessage().startsWith(UpstreamErrors.PROMPT_TOO_LONG)) {
            ContextWindows.namedIn(errorBody).ifPresent(limit -> tellWindow(request, route, limit));
        }
        if (RetryPolicy.retryableStatus(answer.status())) {
            throw new RetryableFailure(error, hint.delay());
        }
        throw error;
    }

    private UpstreamAnswer post(Request request, Route route, Target target, ChatRequest proxyToServerRequest) {
        Profile profile = target.profile();
        byte[] json = target.dialect() == Dialect.RESPONSES
                ? Json.writeUtf8(ResponsesRequests.from(proxyToServerRequest, profile.isOpenAiReasoningModel(target.model()),
                        ResponsesRequests.HostedSearch.of(request.clientRequest(), target)))
                : Json.writeUtf8(proxyToServerRequest);
        UpstreamCall call = client.prepare(profile.requestUri(target.dialect().uri(route.endpoint()), settings.azureApiVersion()),
                route.key(), profile.keyHeader(), json, Boolean.TRUE.equals(proxyToServerRequest.stream()), route.checked(),
                settings.limits().maxAnswerBytes(), settings.timeouts().exchange());
        request.cancellation().watch(call::cancel);
        try {
            return call.awaitHead(request.deadlines().headEnd(System.nanoTime()), request.deadlines().firstByte(),
                    request.heartbeat());
        } catch (UpstreamFailure failure) {
            throw switch (failure.kind()) {
                case TIMEOUT -> request.deadlines().exchangeOver(System.nanoTime())
                        ? Bodies.timedOut(request.deadlines())
                        : new ProxyException(ErrorType.TIMEOUT, failure.getMessage() + " ("
                                + request.deadlines().firstByteSetting() + ")");
                case UNREACHABLE -> new RetryableFailure(new ProxyException(502, ErrorType.API, failure.getMessage(),
                        Map.of()), Optional.empty());
                case REFUSED -> new ProxyException(ErrorType.PERMISSION, failure.getMessage());
                case PLAIN_HTTP -> ProxyException.noRetry(502, ErrorType.API, failure.getMessage() + "; "
                        + route.plainHttpAdvice());
                case CANCELLED -> new CancelledException(failure.getMessage(), failure);
            };
        }
    }

    /**
     * An upstream refused a prompt for length and named its limit: the operator learns the window
     * clients should compact within, and the setting that says it when the gateway's differs.
     */
    private void tellWindow(Request request, Route route, int limit) {
        OptionalInt known = settings.contextWindow(route.endpoint(), route.model());
        String model = route.model().replaceAll("\\p{Cntrl}", "?");
        if (known.isPresent() && known.getAsInt() == limit) {
            LOG.info(() -> request.requestId() + ": upstream " + route.authority() + " refused a prompt too long for model "
                    + model + ", whose context window of " + limit + " tokens the gateway knows");
            return;
        }
        LOG.warning(() -> request.requestId() + ": upstream " + route.authority() + " refused a prompt too long for model "
                + model + " and names its context window: " + limit + " tokens; the gateway "
                + (known.isPresent() ? "has " + known.getAsInt() : "does not know it") + ". Set "
                + Settings.CONTEXT_WINDOWS + "=" + ContextWindows.settingKey(route.authority(), model) + "=" + limit
                + " so that clients are told to compact within it (/v1/models, claude_proxy.sh)");
    }

    /** An error answer's body, at most its first 64 KiB; its connection is dropped. */
    private static String errorBody(UpstreamAnswer answer, Request request) {
        try {
            return new String(Bodies.read(answer, ERROR_BODY_LIMIT, request.deadlines()),
                    StandardCharsets.UTF_8);
        } catch (IOException | ProxyException e) {
            return "";
        } finally {
            answer.close();
        }
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

    /** An upstream failure worth another try: no connection, or 429/502/503/504. */
    private static final class RetryableFailure extends RuntimeException {
        private final ProxyException error;
        /** How long the upstream asked to be left alone, when it said. */
        private final Optional<Duration> asked;

        RetryableFailure(ProxyException error, Optional<Duration> asked) {
            super(error.getMessage(), error, false, false);
            this.error = error;
            this.asked = asked;
        }
    }
}
