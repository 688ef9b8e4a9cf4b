package dev.claudeproxy.servlet;

import static dev.claudeproxy.json.Json.JSON_P;

import dev.claudeproxy.config.Settings;
import dev.claudeproxy.config.TierRoute;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.function.IntSupplier;

/**
 * The operator endpoints, under {@code /_proxy/}: no upstream host can be named {@code _proxy}
 * (host names have no '_'), so they never shadow a route. Cheap, unauthenticated (load balancers
 * call them), and they reveal no key.
 *
 * <ul>
 *   <li>{@code GET /_proxy/health}: liveness, 200 while the webapp runs;
 *   <li>{@code GET /_proxy/ready}: readiness, 200 with the configured routes (each with its model's
 *       context window, {@code max_input_tokens}, {@code null} when unknown); 503 while shutting
 *       down, and while every exchange place is taken ({@code MAX_CONCURRENT_EXCHANGES}), when
 *       every new request would get 529, so that a load balancer sends them elsewhere;
 *   <li>{@code GET /_proxy/metrics}: Prometheus text format, 404 when {@code METRICS_ENABLED=false}.
 * </ul>
 */
final class Operations {

    static final String PREFIX = "/_proxy/";

    private final Settings settings;
    private final Telemetry telemetry;
    private final IntSupplier freePlaces;
    private volatile boolean draining;

    /** @param freePlaces the exchange places free now */
    Operations(Settings settings, Telemetry telemetry, IntSupplier freePlaces) {
        this.settings = settings;
        this.telemetry = telemetry;
        this.freePlaces = freePlaces;
    }

    void startDraining() {
        draining = true;
    }

    /** @return false when the path is no operator endpoint */
    boolean answer(String path, HttpServletResponse response) throws IOException {
        switch (path.substring(PREFIX.length())) {
            case "health":
                JsonResponse.write(response, 200, "{\"status\":\"ok\"}");
                return true;
            case "ready":
                response.setHeader("Cache-Control", "no-store");
                int free = freePlaces.getAsInt();
                String status = draining ? "draining" : free == 0 ? "full" : "ready";
                JsonResponse.write(response, status.equals("ready") ? 200 : 503, readiness(status, free));
                return true;
            case "metrics":
                if (!settings.metricsEnabled()) {
                    return false;
                }
                response.setStatus(200);
                response.setContentType(Telemetry.CONTENT_TYPE);
                telemetry.writeMetrics(response.getOutputStream());
                return true;
            default:
                return false;
        }
    }

    private String readiness(String status, int freePlaces) {
        JsonObjectBuilder routes = JSON_P.createObjectBuilder();
        for (TierRoute tier : settings.tiers().values()) {
            JsonObjectBuilder route = JSON_P.createObjectBuilder()
                    .add("upstream", tier.baseUrl().getAuthority()).add("model", tier.model());
            OptionalInt window = settings.contextWindow(tier.baseUrl(), tier.model());
            if (window.isPresent()) {
                route.add("max_input_tokens", window.getAsInt());
            } else {
                route.addNull("max_input_tokens");
            }
            routes.add(tier.tier().name().toLowerCase(Locale.ROOT), route);
        }
        return JSON_P.createObjectBuilder()
                .add("status", status)
                .add("routes", routes)
                .add("client_auth", settings.clientAuth().mode().name().toLowerCase(Locale.ROOT))
                .add("upstream_allowlist", settings.allowlist().anyPublic() ? "any public host" : "listed hosts only")
                .add("active_exchanges", telemetry.active())
                .add("free_places", freePlaces)
                .build().toString();
    }
}
