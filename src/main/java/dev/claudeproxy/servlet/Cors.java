package dev.claudeproxy.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;

/**
 * Cross-origin access for browser clients ({@code CORS_ALLOWED_ORIGINS}), off by default: with no
 * origins configured no CORS header is ever sent, and browsers keep pages of other origins out.
 */
final class Cors {

    private static final String ALLOWED_HEADERS = "content-type, x-api-key, authorization, anthropic-version, "
            + "anthropic-beta, anthropic-dangerous-direct-browser-access, x-stainless-retry-count";

    private final List<String> origins;

    Cors(List<String> origins) {
        this.origins = origins;
    }

    /** Adds the CORS headers when the request's origin is allowed. @return whether it was */
    boolean apply(HttpServletRequest request, HttpServletResponse response) {
        String origin = request.getHeader("Origin");
        if (origins.isEmpty() || origin == null) {
            return false;
        }
        if (origins.contains("*")) {
            response.setHeader("Access-Control-Allow-Origin", "*");
        } else if (origins.contains(origin)) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Vary", "Origin");
        } else {
            return false;
        }
        response.setHeader("Access-Control-Expose-Headers", "request-id, retry-after, retry-after-ms, x-should-retry");
        return true;
    }

    /** Answers a preflight from an allowed origin. @return whether the request was one */
    boolean preflight(HttpServletRequest request, HttpServletResponse response) {
        if (!request.getMethod().equals("OPTIONS") || request.getHeader("Access-Control-Request-Method") == null
                || !apply(request, response)) {
            return false;
        }
        response.setHeader("Access-Control-Allow-Methods", "GET, POST, HEAD, OPTIONS");
        response.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        response.setHeader("Access-Control-Max-Age", "600");
        response.setStatus(204);
        return true;
    }
}
