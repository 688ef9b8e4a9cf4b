package dev.claudeproxy.servlet;

import dev.claudeproxy.anthropic.InvalidMessagesRequestException;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.anthropic.RequestTooLargeException;
import dev.claudeproxy.anthropic.ModelInfo;
import dev.claudeproxy.anthropic.ModelList;
import dev.claudeproxy.anthropic.TokenCount;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.config.Tier;
import dev.claudeproxy.config.TierRoute;
import dev.claudeproxy.convert.TokenCounter;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.policy.Limits;
import dev.claudeproxy.route.ParsedPath;
import dev.claudeproxy.route.RouteNotFoundException;
import dev.claudeproxy.route.Routes;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The endpoints answered without calling an upstream: {@code POST .../v1/messages/count_tokens},
 * a local tokenizer count that never answers 404 (Claude Code calls it often; it runs on a worker,
 * admitted like any exchange, since counting a large body costs real work), and
 * {@code GET .../v1/models[/{id}]} (cheap, on the container thread), which lists the path's
 * model and the configured routes' under ids starting with {@code claude-}, the only ids Claude Code's
 * gateway model discovery keeps. Each entry carries the model's context window as
 * {@code max_input_tokens}, {@code null} when the gateway does not know it.
 */
final class LocalEndpoints {

    private final Settings settings;
    private final String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();

    LocalEndpoints(Settings settings) {
        this.settings = settings;
    }

    /** The {@code count_tokens} answer for a request body, as JSON. */
    String countTokens(ReadBody body, ParsedPath path) {
        MessagesRequest request;
        try {
            request = MessagesRequestReader.readForCounting(body.bytes(), body);
        } catch (InvalidMessagesRequestException e) {
            throw ProxyException.invalidRequest(e.getMessage());
        } catch (RequestTooLargeException e) {
            throw new ProxyException(ErrorType.REQUEST_TOO_LARGE, e.getMessage());
        }
        String model;
        try {
            model = Routes.resolve(path.route(), request.model(), settings, Optional.empty()).model();
        } catch (RouteNotFoundException unrouted) {
            model = request.model(); // counted all the same: count_tokens never answers 404
        }
        return Json.write(new TokenCount(TokenCounter.countInput(request, model)));
    }

    /** The models of this route that the user's groups ({@code GROUP_MODELS}) and the policy let them use. */
    void models(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse, ParsedPath path,
                List<String> groups, Limits limits) throws IOException {
        List<ModelInfo> models = available(path, groups, limits);
        if (path.modelId().isPresent()) {
            ModelInfo model = models.stream().filter(info -> info.id().equals(path.modelId().get())).findFirst()
                    .orElseThrow(() -> new ProxyException(ErrorType.NOT_FOUND, "model '" + path.modelId().get()
                            + "' is not served here; GET /v1/models lists the models of this route"));
            JsonResponse.write(proxyToClientResponse, 200, Json.write(model));
            return;
        }
        int limit = limit(clientToProxyRequest.getParameter("limit"));
        String afterId = clientToProxyRequest.getParameter("after_id");
        String beforeId = clientToProxyRequest.getParameter("before_id");
        int from = 0;
        int to = models.size();
        for (int i = 0; i < models.size(); i++) {
            if (models.get(i).id().equals(afterId)) {
                from = i + 1;
            }
            if (models.get(i).id().equals(beforeId)) {
                to = i;
            }
        }
        List<ModelInfo> page = from >= to ? List.of() : models.subList(from, Math.min(to, from + limit));
        boolean hasMore = from + page.size() < to;
        JsonResponse.write(proxyToClientResponse, 200, Json.write(new ModelList(page, hasMore,
                page.isEmpty() ? null : page.get(0).id(), page.isEmpty() ? null : page.get(page.size() - 1).id())));
    }

    private List<ModelInfo> available(ParsedPath path, List<String> groups, Limits limits) {
        List<ModelInfo> models = new ArrayList<>();
        path.route().filter(route -> settings.groupModels().allows(groups, route.endpoint().getHost(), route.model())
                        && limits.allows(route.endpoint().getHost(), route.model()))
                .ifPresent(route -> models.add(new ModelInfo("claude-" + idPart(route.model()),
                        route.model() + " via claude-proxy", startedAt, window(route.endpoint(), route.model()))));
        for (TierRoute tier : settings.tiers().values()) {
            if (!settings.groupModels().allows(groups, tier.baseUrl().getHost(), tier.model())
                    || !limits.allows(tier.baseUrl().getHost(), tier.model())) {
                continue;
            }
            String family = tier.tier() == Tier.DEFAULT ? "" : tier.tier().name().toLowerCase(Locale.ROOT) + "-";
            models.add(new ModelInfo("claude-" + family + idPart(tier.model()),
                    tier.model() + " via claude-proxy (" + tier.tier().name().toLowerCase(Locale.ROOT) + " route)", startedAt,
                    window(tier.baseUrl(), tier.model())));
        }
        return models;
    }

    /** The model's context window, {@code null} when unknown: Anthropic's {@code max_input_tokens}. */
    private Integer window(URI upstream, String model) {
        OptionalInt window = settings.contextWindow(upstream, model);
        return window.isPresent() ? window.getAsInt() : null;
    }

    /** Model ids become one path segment: '/' in upstream ids (org/model) turns into "--". */
    private static String idPart(String model) {
        return model.replace("/", "--");
    }

    private static int limit(String text) {
        if (text == null) {
            return 20;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProxyException.invalidRequest("limit: must be a whole number from 1 to 1000");
    }
}
