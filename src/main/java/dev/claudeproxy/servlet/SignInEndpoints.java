package dev.claudeproxy.servlet;

import dev.claudeproxy.config.SignIn;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.identity.Attempts;
import dev.claudeproxy.identity.DeviceGrants;
import dev.claudeproxy.identity.Federation;
import dev.claudeproxy.identity.GrantStore;
import dev.claudeproxy.identity.Identity;
import dev.claudeproxy.identity.RefreshTokens;
import dev.claudeproxy.identity.ManagedSettings;
import dev.claudeproxy.identity.SessionTokens;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.otlp.OtlpAttribution;
import dev.claudeproxy.otlp.OtlpForwarder;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Claude Code's gateway sign-in ({@code /login}, "Cloud gateway"), for {@code CLIENT_AUTH=sso}:
 * the OAuth device flow Claude Code speaks (discovery, device authorization, token with the device
 * and refresh grants, revocation) and the browser's part (the code page, the return from the
 * identity provider), at the gateway's root. The CLI sends no {@code client_id} and no
 * {@code scope}, and follows no redirect: neither is asked of it.
 */
final class SignInEndpoints {

    private static final Logger LOG = Logger.getLogger(SignInEndpoints.class.getName());
    static final String DISCOVERY = "/.well-known/oauth-authorization-server";
    private static final String DEVICE_AUTHORIZATION = "/oauth/device_authorization";
    private static final String TOKEN = "/oauth/token";
    private static final String REVOKE = "/oauth/revoke";
    private static final String DEVICE_PAGE = "/device";
    private static final String CALLBACK = "/oauth/callback";
    /** A browser's sign-in to the gateway's own pages (the usage page), back to it through the same callback. */
    static final String PAGE_SIGN_IN = UsageEndpoints.PAGE + "/sign-in";
    private static final String MANAGED_SETTINGS = "/managed/settings";
    private static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    /** A sign-in form holds a code or a token or two: far below this. */
    static final int MAX_FORM_BYTES = 64 * 1024;
    /** One flush of Claude Code's telemetry is a few KiB; OpenTelemetry's own exporters batch up to about this. */
    static final int MAX_TELEMETRY_BYTES = 4 * 1024 * 1024;

    private final SignIn settings;
    private final Optional<URI> publicUrl;
    private final DeviceGrants grants;
    private final SessionTokens sessions;
    private final Federation federation;
    private final Attempts attempts;
    private final ManagedSettings managed;
    private final SmallBodies bodies;
    private final Optional<OtlpForwarder> collector;
    private final RefreshTokens refreshTokens;

    /**
     * @param grants the sign-ins under way (in a store the nodes share, when they share a database)
     * @param refreshTokens the refresh tokens handed out: the provider's, sealed with their user
     */
    SignInEndpoints(SignIn settings, Optional<URI> publicUrl, SessionTokens sessions, DeviceGrants grants,
                    RefreshTokens refreshTokens, SmallBodies bodies, Clock clock) {
        this.settings = settings;
        this.bodies = bodies;
        this.collector = settings.collector().map(url -> new OtlpForwarder(url, settings.collectorHeaders()));
        this.publicUrl = publicUrl;
        this.sessions = sessions;
        this.grants = grants;
        this.refreshTokens = refreshTokens;
        this.federation = new Federation(settings);
        this.attempts = new Attempts(30, clock);
        this.managed = new ManagedSettings(settings.managedSettings());
    }

    /** @return whether the request was one of the sign-in endpoints, now answered */
    boolean answer(String method, String path, HttpServletRequest request, HttpServletResponse response) throws IOException {
        switch (method + " " + path) {
            case "GET " + DISCOVERY -> discovery(request, response);
            case "POST " + DEVICE_AUTHORIZATION -> form(request, response, form -> deviceAuthorization(request, response));
            case "POST " + TOKEN -> form(request, response, form -> token(form, response));
            case "POST " + REVOKE -> form(request, response, form -> revoke(form, response));
            case "GET " + DEVICE_PAGE -> devicePage(request, response, request.getParameter("user_code"), null, 200);
            case "POST " + DEVICE_PAGE -> form(request, response, form -> deviceSubmitted(request, form, response));
            case "GET " + PAGE_SIGN_IN -> pageSignIn(request, response);
            case "GET " + CALLBACK -> {
                try {
                    callback(request, response);
                } catch (GrantStore.Unavailable unavailable) {
                    storeUnavailable(true, response, unavailable);
                }
            }
            case "GET " + MANAGED_SETTINGS -> managedSettings(request, response);
            case "POST /v1/metrics", "POST /v1/logs", "POST /v1/traces" ->
                    telemetry(OtlpAttribution.Signal.ofPath(path).orElseThrow(), request, response);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** What answers a whole form. */
    private interface FormAnswer {
        void with(Form form) throws IOException;
    }

    /** A form, read without holding a thread ({@link SmallBodies}), then answered; a malformed one is the OAuth 400. */
    private void form(HttpServletRequest request, HttpServletResponse response, FormAnswer answer) throws IOException {
        bodies.read(request, response, MAX_FORM_BYTES, "a sign-in form's limit", body -> {
            Form form;
            try {
                form = Form.of(request.getContentType(), body);
            } catch (Form.Malformed malformed) {
                oauthError(response, 400, "invalid_request", malformed.getMessage());
                return;
            }
            try {
                answer.with(form);
            } catch (GrantStore.Unavailable unavailable) {
                storeUnavailable(request.getRequestURI().endsWith(DEVICE_PAGE), response, unavailable);
            }
        });
    }

    /** The sign-ins' shared store is out of reach: this step is refused for now, as a page or as OAuth's error. */
    private void storeUnavailable(boolean page, HttpServletResponse response, GrantStore.Unavailable unavailable)
            throws IOException {
        LOG.warning("sign-in: the store of sign-ins under way could not be reached: " + unavailable.getMessage());
        if (page) {
            page(response, 503, "Sign-in unavailable", "<p>The gateway could not reach its sign-in store. Try again in a"
                    + " minute.</p>");
        } else {
            oauthError(response, 503, "temporarily_unavailable", "The gateway could not reach its sign-in store; try again"
                    + " in a minute.");
        }
    }

    /**
     * The Claude Code settings of the signed-in user's group, in the wrapper Claude Code takes, with
     * its checksum as the ETag; {@code 304} when Claude Code already holds them; {@code 404} when
     * no group of theirs has any (Claude Code: no policy).
     */
    private void managedSettings(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Identity identity;
        try {
            identity = sessions.verify(ClientRequests.key(request));
        } catch (ProxyException refused) {
            ErrorResponder.send(response, null, refused);
            return;
        }
        Optional<ManagedSettings.Policy> policy = managed.of(identity.groups());
        if (policy.isEmpty()) {
            ErrorResponder.send(response, null, new ProxyException(ErrorType.NOT_FOUND, "no managed settings for your groups"));
            return;
        }
        String etag = "\"" + policy.get().checksum() + "\"";
        response.setHeader("ETag", etag);
        if (etag.equals(request.getHeader("If-None-Match"))) {
            response.setStatus(304);
            return;
        }
        JsonResponse.write(response, 200, ManagedSettings.body(policy.get()));
    }

    /**
     * A signed-in Claude Code's own OpenTelemetry (OTLP/HTTP, protobuf or JSON), which it sends to
     * its gateway and logs an error for on every 404: with a collector configured, stamped with the
     * signed-in person ({@link OtlpAttribution}) and queued for it; without one, taken (200) and
     * dropped unread. Either way 200 at once: the collector's speed is never the client's.
     */
    private void telemetry(OtlpAttribution.Signal signal, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        Identity identity;
        try {
            identity = sessions.verify(ClientRequests.key(request));
        } catch (ProxyException refused) {
            ErrorResponder.send(response, null, refused);
            return;
        }
        if (collector.isEmpty()) {
            response.setHeader("Connection", "close"); // the body is left unread: the connection is not reused
            JsonResponse.write(response, 200, "{}");
            return;
        }
        String contentType = Optional.ofNullable(request.getContentType()).orElse("application/x-protobuf");
        boolean json = contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json");
        OtlpAttribution.Person person = new OtlpAttribution.Person(identity.user(), identity.groups());
        bodies.read(request, response, MAX_TELEMETRY_BYTES, "a telemetry export's limit", export -> {
            byte[] stamped;
            try {
                stamped = OtlpAttribution.stamp(signal, json, export, person);
            } catch (OtlpAttribution.Unreadable unreadable) {
                ErrorResponder.send(response, null, ProxyException.invalidRequest(unreadable.getMessage()));
                return;
            }
            collector.get().offer(new OtlpForwarder.Export(signal, json ? "application/json" : "application/x-protobuf",
                    stamped));
            JsonResponse.write(response, 200, "{}");
        });
    }

    /** Posts the telemetry still queued for the collector, then closes its client. */
    void close() {
        collector.ifPresent(OtlpForwarder::close);
    }

    private void discovery(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String base = base(request);
        oauthJson(response, 200, Json.JSON_P.createObjectBuilder().add("issuer", base)
                .add("device_authorization_endpoint", base + DEVICE_AUTHORIZATION).add("token_endpoint", base + TOKEN)
                .add("revocation_endpoint", base + REVOKE)
                .add("grant_types_supported", Json.JSON_P.createArrayBuilder().add(DEVICE_GRANT).add("refresh_token"))
                .add("response_types_supported", Json.JSON_P.createArrayBuilder())
                .add("token_endpoint_auth_methods_supported", Json.JSON_P.createArrayBuilder().add("none"))
                .add("gateway_protocol_version", 1));
    }

    private void deviceAuthorization(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!attempts.allow(request.getRemoteAddr())) {
            oauthError(response, 429, "slow_down", "Too many sign-in attempts came from your network, which other people may share.");
            return;
        }
        Optional<DeviceGrants.Started> started = grants.start();
        if (started.isEmpty()) {
            oauthError(response, 503, "temporarily_unavailable", "Too many sign-ins are under way; try again in a few minutes.");
            return;
        }
        String base = base(request);
        String userCode = started.get().userCode();
        oauthJson(response, 200, Json.JSON_P.createObjectBuilder().add("device_code", started.get().deviceCode())
                .add("user_code", userCode).add("verification_uri", base + DEVICE_PAGE)
                .add("verification_uri_complete", base + DEVICE_PAGE + "?user_code=" + userCode)
                .add("expires_in", DeviceGrants.LIFETIME.toSeconds()).add("interval", DeviceGrants.INTERVAL_SECONDS));
    }

    private void token(Form form, HttpServletResponse response) throws IOException {
        String grantType = form.get("grant_type");
        if (DEVICE_GRANT.equals(grantType)) {
            String deviceCode = form.get("device_code");
            if (deviceCode == null) {
                oauthError(response, 400, "invalid_request", "device_code is missing");
                return;
            }
            DeviceGrants.Poll poll = grants.poll(deviceCode);
            switch (poll.outcome()) {
                case PENDING -> oauthError(response, 400, "authorization_pending", null);
                case SLOW_DOWN -> oauthError(response, 400, "slow_down", null);
                case DENIED -> oauthError(response, 400, "access_denied", "Sign-in was denied in the browser.");
                case EXPIRED -> oauthError(response, 400, "expired_token", null);
                case COMPLETE -> {
                    DeviceGrants.Tokens tokens = poll.tokens().orElseThrow();
                    JsonObjectBuilder body = Json.JSON_P.createObjectBuilder().add("access_token", tokens.accessToken())
                            .add("token_type", "Bearer").add("expires_in", tokens.expiresIn());
                    tokens.refreshToken().ifPresent(refresh -> body.add("refresh_token", refresh));
                    tokens.email().ifPresent(email -> body.add("email", email));
                    oauthJson(response, 200, body);
                }
            }
        } else if ("refresh_token".equals(grantType)) {
            refresh(form.get("refresh_token"), response);
        } else {
            oauthError(response, 400, grantType == null ? "invalid_request" : "unsupported_grant_type", null);
        }
    }

    /**
     * A refresh goes through the identity provider: a user it no longer accepts loses every session
     * at once. The token names its user ({@link RefreshTokens}), so any node knows whose it is.
     */
    private void refresh(String given, HttpServletResponse response) throws IOException {
        if (given == null || given.isBlank()) {
            oauthError(response, 400, "invalid_request", "refresh_token is missing");
            return;
        }
        Optional<RefreshTokens.Opened> opened = refreshTokens.open(given);
        if (opened.isEmpty()) {
            oauthError(response, 401, "invalid_grant", "This gateway did not issue that refresh token. Sign in again with /login.");
            return;
        }
        String subject = opened.get().subject();
        Federation.SignedIn signedIn;
        try {
            signedIn = federation.refresh(opened.get().providerToken());
        } catch (Federation.Refused refused) {
            sessions.revokeSubject(subject);
            LOG.info(() -> "the identity provider refused a refresh: every session of that user is refused from now");
            oauthError(response, 401, "invalid_grant", "Sign in again with /login.");
            return;
        } catch (Federation.Unavailable unavailable) {
            LOG.warning("sign-in refresh: " + unavailable.getMessage());
            oauthError(response, 503, "temporarily_unavailable", "The identity provider could not be reached.");
            return;
        }
        if (settings.refusal(signedIn.identity().groups(), signedIn.email()).isPresent()) {
            // Moved out of the allowed groups since signing in: out at this refresh.
            sessions.revokeSubject(signedIn.subject());
            oauthError(response, 401, "invalid_grant", "Your account may no longer use this gateway.");
            return;
        }
        SessionTokens.Issued issued = sessions.issue(signedIn.subject(), signedIn.identity(), signedIn.email());
        String next = refreshTokens.wrap(signedIn.refreshToken().orElse(opened.get().providerToken()), signedIn.subject());
        oauthJson(response, 200, Json.JSON_P.createObjectBuilder().add("access_token", issued.token())
                .add("token_type", "Bearer").add("expires_in", issued.expiresIn()).add("refresh_token", next));
    }

    private void revoke(Form form, HttpServletResponse response) throws IOException {
        String token = form.get("token");
        if (token != null) {
            sessions.revoke(token);
        }
        oauthJson(response, 200, Json.JSON_P.createObjectBuilder());
    }

    private void deviceSubmitted(HttpServletRequest request, Form form, HttpServletResponse response) throws IOException {
        if (!sameOrigin(request)) {
            page(response, 403, "Not from this page", "<p>The code must be entered on this gateway's own page.</p>");
            return;
        }
        if (!attempts.allow(request.getRemoteAddr())) {
            page(response, 429, "Too many attempts", "<p>Too many sign-in attempts came from your network. Wait a minute.</p>");
            return;
        }
        String typed = form.get("user_code");
        Optional<String> deviceCode = grants.pendingByUserCode(typed);
        if (deviceCode.isEmpty()) {
            devicePage(request, response, typed, "That code was not recognized; it may have expired.", 400);
            return;
        }
        toProvider(request, response, grants.holdBrowserStep(deviceCode.get()));
    }

    /**
     * Signs a browser in to the usage page: to the identity provider (code, PKCE, nonce), back
     * through the callback, which sets the page's session cookie.
     */
    private void pageSignIn(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!attempts.allow(request.getRemoteAddr())) {
            page(response, 429, "Too many attempts", "<p>Too many sign-in attempts came from your network. Wait a minute.</p>");
            return;
        }
        Optional<DeviceGrants.BrowserStart> start;
        try {
            start = grants.holdPageStep();
        } catch (GrantStore.Unavailable unavailable) {
            storeUnavailable(true, response, unavailable);
            return;
        }
        if (start.isEmpty()) {
            page(response, 503, "Sign-in unavailable", "<p>Too many sign-ins are under way. Try again in a few minutes.</p>");
            return;
        }
        toProvider(request, response, start.get());
    }

    /** The browser, bound by a cookie to its step, sent on to the identity provider. */
    private void toProvider(HttpServletRequest request, HttpServletResponse response, DeviceGrants.BrowserStart start)
            throws IOException {
        String base = base(request);
        URI authorization;
        try {
            authorization = federation.authorizationUri(URI.create(base + CALLBACK), start.state(), start.nonce(),
                    start.codeVerifier());
        } catch (Federation.Unavailable unavailable) {
            LOG.warning("sign-in: " + unavailable.getMessage());
            page(response, 503, "Sign-in unavailable", "<p>The identity provider could not be reached. Try again in a few"
                    + " minutes.</p>");
            return;
        }
        // The browser that started the sign-in is the one it may end in.
        response.addHeader("Set-Cookie", cookieName(base) + "=" + start.browserSecret() + "; Max-Age="
                + DeviceGrants.LIFETIME.toSeconds() + "; HttpOnly; SameSite=Lax; Path=/" + (secure(base) ? "; Secure" : ""));
        response.setHeader("Cache-Control", "no-store");
        response.setStatus(302);
        response.setHeader("Location", authorization.toString());
    }

    /**
     * The session of a browser signed in to the gateway's pages ({@link #PAGE_SIGN_IN}): its cookie,
     * taken by the usage endpoints only (reads; SameSite=Strict, never sent from another site).
     */
    Optional<dev.claudeproxy.config.Secret> pageSession(HttpServletRequest request) {
        return Optional.ofNullable(cookie(request, sessionCookieName(base(request)))).filter(value -> !value.isBlank())
                .map(dev.claudeproxy.config.Secret::of);
    }

    private static String sessionCookieName(String base) {
        return secure(base) ? "__Host-gw_session" : "gw_session";
    }

    private void callback(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<DeviceGrants.BrowserStep> step = grants.takeBrowserStep(request.getParameter("state"));
        if (step.isEmpty()) {
            page(response, 400, "Sign-in link expired", "<p>This sign-in link has expired or was already used. Run /login"
                    + " in Claude Code again.</p>");
            return;
        }
        String deviceCode = step.get().deviceCode();
        String base = base(request);
        if (!DeviceGrants.sameBrowser(step.get(), cookie(request, cookieName(base)))) {
            grants.deny(deviceCode);
            page(response, 400, "Another browser", "<p>This sign-in was started in a different browser. Run /login in"
                    + " Claude Code again and finish it in one browser.</p>");
            return;
        }
        String iss = request.getParameter("iss");
        if (request.getParameter("error") != null || request.getParameter("code") == null
                || (iss != null && !iss.equals(settings.issuer().toString()))) {
            grants.deny(deviceCode);
            page(response, 400, "Sign-in refused", "<p>The identity provider did not sign you in"
                    + Optional.ofNullable(request.getParameter("error")).map(error -> " (" + escape(error) + ")").orElse("")
                    + ". Run /login in Claude Code to try again.</p>");
            return;
        }
        Federation.SignedIn signedIn;
        try {
            signedIn = federation.exchange(request.getParameter("code"), URI.create(base + CALLBACK),
                    step.get().codeVerifier(), step.get().nonce());
        } catch (Federation.Refused | Federation.Unavailable failure) {
            LOG.warning("sign-in could not be completed: " + failure.getMessage());
            grants.deny(deviceCode);
            page(response, 400, "Sign-in could not be completed", "<p>Sign-in could not be completed. Run /login in"
                    + " Claude Code to try again.</p>");
            return;
        }
        Optional<String> notAllowed = settings.refusal(signedIn.identity().groups(), signedIn.email());
        if (notAllowed.isPresent()) {
            grants.deny(deviceCode);
            page(response, 403, "Not allowed", "<p>You are signed in at the identity provider as "
                    + escape(signedIn.identity().user()) + ", but " + escape(notAllowed.get()) + ". Ask its operator.</p>");
            return;
        }
        SessionTokens.Issued issued = sessions.issue(signedIn.subject(), signedIn.identity(), signedIn.email());
        if (step.get().forPages()) {
            response.addHeader("Set-Cookie", sessionCookieName(base) + "=" + issued.token() + "; Max-Age="
                    + issued.expiresIn() + "; HttpOnly; SameSite=Strict; Path=/" + (secure(base) ? "; Secure" : ""));
            response.setHeader("Cache-Control", "no-store");
            response.setStatus(303);
            response.setHeader("Location", base + UsageEndpoints.PAGE);
            return;
        }
        grants.complete(deviceCode, new DeviceGrants.Tokens(issued.token(), issued.expiresIn(),
                signedIn.refreshToken().map(refresh -> refreshTokens.wrap(refresh, signedIn.subject())), signedIn.email()));
        page(response, 200, "Signed in", "<p>Signed in as " + escape(signedIn.identity().user())
                + ". Return to your terminal.</p>");
    }

    private void devicePage(HttpServletRequest request, HttpServletResponse response, String userCode, String problem,
                            int status) throws IOException {
        String value = userCode == null ? "" : escape(userCode.length() > 20 ? userCode.substring(0, 20) : userCode);
        page(response, status, "Sign in to claude-proxy", (problem == null ? "" : "<p class=problem>" + escape(problem) + "</p>")
                + "<p>Check that this code is the one Claude Code shows, then continue to sign in with "
                + escape(settings.issuer().getHost()) + ".</p><form method=post action=\"" + escape(request.getContextPath())
                + DEVICE_PAGE + "\"><input name=user_code value=\"" + value + "\" autocomplete=off>"
                + "<button type=submit>Continue</button></form>");
    }

    /** A POST from this gateway's own page: the browser says so ({@code Sec-Fetch-Site}), or its {@code Origin} is ours. */
    private boolean sameOrigin(HttpServletRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null) {
            return site.equals("same-origin") || site.equals("none");
        }
        URI base = URI.create(base(request));
        String origin = request.getHeader("Origin");
        return origin != null && origin.equals(base.getScheme() + "://" + base.getRawAuthority());
    }

    /** The gateway's URL as clients reach it: {@code PUBLIC_URL}, else the request's own origin and context path. */
    private String base(HttpServletRequest request) {
        return publicUrl.map(URI::toString).orElseGet(() -> {
            String url = request.getRequestURL().toString();
            String servletPath = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
            return url.substring(0, url.length() - servletPath.length());
        });
    }

    /** The browser's sign-in cookie: {@code __Host-} prefixed (bound to this origin, over TLS only) when served over https. */
    private static String cookieName(String base) {
        return secure(base) ? "__Host-gw_dev" : "gw_dev";
    }

    private static boolean secure(String base) {
        return base.startsWith("https:");
    }

    private static String cookie(HttpServletRequest request, String name) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (cookie.getName().equals(name)) {
                    return cookie.getValue();
                }
            }
        }
        return null;
    }

    private static void oauthJson(HttpServletResponse response, int status, JsonObjectBuilder body) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
        JsonResponse.write(response, status, body.build().toString());
    }

    private static void oauthError(HttpServletResponse response, int status, String error, String description)
            throws IOException {
        JsonObjectBuilder body = Json.JSON_P.createObjectBuilder().add("error", error);
        if (description != null) {
            body.add("error_description", description);
        }
        oauthJson(response, status, body);
    }

    private void page(HttpServletResponse response, int status, String title, String body) throws IOException {
        byte[] bytes = ("<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content=\"width=device-width\">"
                + "<title>" + escape(title) + "</title><style>body{font:16px system-ui,sans-serif;max-width:34em;margin:3em auto;"
                + "padding:0 1em}.problem{color:#a00}input{font:inherit;letter-spacing:.1em}</style><h1>" + escape(title) + "</h1>"
                + body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
        response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' "
                + settings.issuer().getScheme() + "://" + settings.issuer().getRawAuthority() + "; frame-ancestors 'none'");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
