package dev.claudeproxy.config;

import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.provider.ContextWindows;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.provider.Profile;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Every setting of the gateway, read once at start through one {@link Lookup}. An invalid value
 * fails the deployment with an {@link IllegalArgumentException} naming the setting.
 *
 * @param tiers the server-configured routes ({@link Tier})
 * @param timeouts every deadline of an exchange
 * @param maxOutputTokens cap on the {@code max_tokens} sent upstream
 * @param maxOutputTokensByHost per-upstream-host caps that replace {@code maxOutputTokens}
 * @param profileByHost upstream host → provider profile, replacing the built-in choice
 * @param contextWindows {@code host[:port]/model} or {@code host[:port]} → the model's context window in tokens,
 *     replacing the documented one (keys in lower case)
 * @param thinkingSecret key of the thinking-block signatures; gateways behind one load balancer share it
 * @param azureApiVersion the {@code api-version} query parameter for Azure OpenAI deployment URLs
 * @param upstreamKeys server-held keys per upstream origin (scheme, host, port), so clients need hold no provider key
 * @param clientKeyOverrides whether a client's key replaces a server-held key (else the server's wins)
 * @param clientAuth who may use the gateway
 * @param allowlist the upstream hosts request paths may name
 * @param limits how much a client or an upstream may make the gateway hold
 * @param corsOrigins origins browsers may call from ({@code *} for any); empty: no CORS headers
 * @param publicUrl the gateway's URL as its clients reach it (behind a front), when configured
 * @param allowedHosts the {@code Host} header values answered ({@code host} or {@code host:port}); empty: any
 * @param shutdownGrace how long shutdown waits for open exchanges to finish
 * @param metricsEnabled whether {@code /_proxy/metrics} answers
 * @param retryPolicy when to call an upstream again before the client has seen a byte
 * @param fallbacks the route tried next when a route fails before answering
 * @param upstreamCooldown how long a failed server route is passed over for its fallback
 * @param upstreams upstreams named in configuration, which paths reach as {@code /_/<name>/...}
 * @param autoModeRoute the server route Claude Code's auto-mode safety checks go to, when one is named
 *     (by default the Haiku route, when there is one); else they are routed as any request
 * @param groupModels the models each group of users may use ({@code GROUP_MODELS})
 */
public record Settings(
        Map<Tier, TierRoute> tiers,
        Timeouts timeouts,
        int maxOutputTokens,
        Map<String, Integer> maxOutputTokensByHost,
        Map<String, Profile> profileByHost,
        Map<String, Integer> contextWindows,
        Optional<Secret> thinkingSecret,
        String azureApiVersion,
        Map<Origin, Secret> upstreamKeys,
        boolean clientKeyOverrides,
        ClientAuth clientAuth,
        UpstreamAllowlist allowlist,
        Limits limits,
        List<String> corsOrigins,
        List<String> allowedHosts,
        Optional<URI> publicUrl,
        Duration shutdownGrace,
        boolean metricsEnabled,
        RetryPolicy retryPolicy,
        Map<Tier, Tier> fallbacks,
        Duration upstreamCooldown,
        Map<String, NamedUpstream> upstreams,
        Optional<Tier> autoModeRoute,
        GroupModels groupModels,
        Usage usage) {

    public static final String UPSTREAM_CONNECT_TIMEOUT_SECONDS = "UPSTREAM_CONNECT_TIMEOUT_SECONDS";
    public static final String UPSTREAM_READ_TIMEOUT_SECONDS = "UPSTREAM_READ_TIMEOUT_SECONDS";
    public static final String UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS = "UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS";
    public static final String AUTO_MODE_FIRST_BYTE_TIMEOUT_SECONDS = "AUTO_MODE_FIRST_BYTE_TIMEOUT_SECONDS";
    public static final String AUTO_MODE_ROUTE = "AUTO_MODE_ROUTE";
    public static final String GROUP_MODELS = "GROUP_MODELS";
    public static final String EXCHANGE_TIMEOUT_SECONDS = "EXCHANGE_TIMEOUT_SECONDS";
    public static final String CLIENT_BODY_TIMEOUT_SECONDS = "CLIENT_BODY_TIMEOUT_SECONDS";
    public static final String CLIENT_BODY_MIN_BYTES_PER_SECOND = "CLIENT_BODY_MIN_BYTES_PER_SECOND";
    public static final String MAX_CONCURRENT_EXCHANGES = "MAX_CONCURRENT_EXCHANGES";
    public static final String MAX_REQUEST_BYTES_IN_FLIGHT = "MAX_REQUEST_BYTES_IN_FLIGHT";
    public static final String MAX_OUTPUT_TOKENS = "MAX_OUTPUT_TOKENS";
    public static final String MAX_OUTPUT_TOKENS_BY_HOST = "MAX_OUTPUT_TOKENS_BY_HOST";
    public static final String KEEPALIVE_SECONDS = "KEEPALIVE_SECONDS";
    public static final String PROFILE_BY_HOST = "PROFILE_BY_HOST";
    public static final String CONTEXT_WINDOWS = "CONTEXT_WINDOWS";
    public static final String UPSTREAMS = "UPSTREAMS";
    public static final String THINKING_SIGNATURE_SECRET = "THINKING_SIGNATURE_SECRET";
    public static final String AZURE_API_VERSION = "AZURE_API_VERSION";
    public static final String UPSTREAM_KEYS_BY_HOST = "UPSTREAM_KEYS_BY_HOST";
    public static final String CLIENT_KEY_OVERRIDES_SERVER_KEY = "CLIENT_KEY_OVERRIDES_SERVER_KEY";
    public static final String CLIENT_AUTH = "CLIENT_AUTH";
    public static final String CLIENT_KEYS = "CLIENT_KEYS";
    public static final String CLIENT_KEY_GROUPS = "CLIENT_KEY_GROUPS";
    public static final String CLIENT_USER_HEADER = "CLIENT_USER_HEADER";
    public static final String JWT_ISSUER = "JWT_ISSUER";
    public static final String JWT_AUDIENCE = "JWT_AUDIENCE";
    public static final String JWT_JWKS_URL = "JWT_JWKS_URL";
    public static final String JWT_ALGORITHMS = "JWT_ALGORITHMS";
    public static final String JWT_USER_CLAIM = "JWT_USER_CLAIM";
    public static final String JWT_GROUPS_CLAIM = "JWT_GROUPS_CLAIM";
    public static final String SSO_ISSUER = "SSO_ISSUER";
    public static final String SSO_CLIENT_ID = "SSO_CLIENT_ID";
    public static final String SSO_CLIENT_SECRET = "SSO_CLIENT_SECRET";
    public static final String SSO_SCOPES = "SSO_SCOPES";
    public static final String SESSION_SECRET = "SESSION_SECRET";
    public static final String SESSION_TTL_MINUTES = "SESSION_TTL_MINUTES";
    public static final String MANAGED_SETTINGS = "MANAGED_SETTINGS";
    public static final String SSO_ALLOWED_GROUPS = "SSO_ALLOWED_GROUPS";
    public static final String SSO_ALLOWED_DOMAINS = "SSO_ALLOWED_DOMAINS";
    public static final String OTLP_ENDPOINT = "OTLP_ENDPOINT";
    public static final String LEDGER = "LEDGER";
    public static final String LEDGER_DATASOURCE = "LEDGER_DATASOURCE";
    public static final String LEDGER_JDBC_URL = "LEDGER_JDBC_URL";
    public static final String LEDGER_RETENTION_DAYS = "LEDGER_RETENTION_DAYS";
    public static final String LEDGER_OUTAGE = "LEDGER_OUTAGE";
    public static final String POLICY_FILE = "POLICY_FILE";
    public static final String USAGE_ADMINS = "USAGE_ADMINS";
    public static final String CLIENT_GROUPS_HEADER = "CLIENT_GROUPS_HEADER";
    public static final String OTLP_HEADERS = "OTLP_HEADERS";
    public static final String UPSTREAM_ALLOWLIST = "UPSTREAM_ALLOWLIST";
    public static final String MAX_REQUEST_BYTES = "MAX_REQUEST_BYTES";
    public static final String UPSTREAM_MAX_EVENT_BYTES = "UPSTREAM_MAX_EVENT_BYTES";
    public static final String UPSTREAM_MAX_ANSWER_BYTES = "UPSTREAM_MAX_ANSWER_BYTES";
    public static final String CORS_ALLOWED_ORIGINS = "CORS_ALLOWED_ORIGINS";
    public static final String ALLOWED_HOSTS = "ALLOWED_HOSTS";
    public static final String PUBLIC_URL = "PUBLIC_URL";
    public static final String SHUTDOWN_GRACE_SECONDS = "SHUTDOWN_GRACE_SECONDS";
    public static final String METRICS_ENABLED = "METRICS_ENABLED";
    public static final String UPSTREAM_RETRIES = "UPSTREAM_RETRIES";
    public static final String UPSTREAM_RETRY_MAX_WAIT_SECONDS = "UPSTREAM_RETRY_MAX_WAIT_SECONDS";
    public static final String UPSTREAM_COOLDOWN_SECONDS = "UPSTREAM_COOLDOWN_SECONDS";

    /** The Anthropic Messages API's own request size limit: no Anthropic client sends more. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 32L * 1024 * 1024;

    /**
     * Bounds on what outsiders make the gateway hold.
     *
     * @param maxRequestBytes the largest request body accepted
     * @param maxEventBytes the longest line or event of an upstream stream, and the longest arguments
     *     of one tool call (some upstreams send a whole call in one event)
     * @param maxAnswerBytes the most an upstream answer may carry, as a JSON body or as a stream
     * @param maxBytesInFlight the request bodies all exchanges together may hold while they are
     *     read, converted and sent (each held about four times over); past it, 529
     * @param maxExchanges the exchanges (messages and count_tokens calls) that may run at once; past it, 529
     */
    public record Limits(long maxRequestBytes, int maxEventBytes, long maxAnswerBytes, long maxBytesInFlight,
                         int maxExchanges) {
    }

    /**
     * Every deadline of an exchange, each named once, here.
     *
     * @param connect connecting to an upstream
     * @param firstByte from sending a request upstream to the head of its answer (local models may
     *     take minutes to read a long prompt)
     * @param autoModeFirstByte the same for Claude Code's auto-mode safety checks, which it gives
     *     60 s in all and retries: shorter, so that a retry still fits
     * @param silence the longest an upstream may send nothing worth an event once it has answered:
     *     between two stream events, or while a body arrives (bytes that make no event do not count)
     * @param exchange a whole exchange, from its body's arrival to the last byte of the answer
     * @param keepAlive silence on the client's connection after which a stream gets a {@code ping}
     * @param clientBody the longest a request body may take to arrive
     * @param clientBodyMinBytesPerSecond the slowest a request body may arrive, on average, once a
     *     few seconds have passed
     */
    public record Timeouts(Duration connect, Duration firstByte, Duration autoModeFirstByte, Duration silence,
                           Duration exchange, Duration keepAlive, Duration clientBody, long clientBodyMinBytesPerSecond) {
    }

    /**
     * The request bytes in flight when {@code MAX_REQUEST_BYTES_IN_FLIGHT} is not set: a sixteenth of
     * the heap, so that the three or four copies each body is held in while it is converted and sent
     * stay within a quarter of it.
     */
    static long defaultBytesInFlight() {
        return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 16);
    }

    public Settings {
        tiers = Map.copyOf(tiers);
        maxOutputTokensByHost = Map.copyOf(maxOutputTokensByHost);
        profileByHost = Map.copyOf(profileByHost);
        contextWindows = Map.copyOf(contextWindows);
        upstreamKeys = Map.copyOf(upstreamKeys);
        corsOrigins = List.copyOf(corsOrigins);
        allowedHosts = allowedHosts.stream().map(host -> host.toLowerCase(Locale.ROOT)).toList();
        fallbacks = Map.copyOf(fallbacks);
        upstreams = Map.copyOf(upstreams);
    }

    public static Settings load(Lookup lookup) {
        Map<Tier, TierRoute> tiers = tiers(lookup);
        return new Settings(
                tiers,
                timeouts(lookup),
                positive(lookup, MAX_OUTPUT_TOKENS, 32768),
                pairs(lookup, MAX_OUTPUT_TOKENS_BY_HOST, "host=tokens", Settings::positiveNumber),
                pairs(lookup, PROFILE_BY_HOST, "host=profile", Settings::profile),
                pairs(lookup, CONTEXT_WINDOWS, "host[:port][/model]=tokens", Settings::contextWindow),
                lookup.find(THINKING_SIGNATURE_SECRET).map(secret -> {
                    if (secret.strip().length() < 16) {
                        throw new IllegalArgumentException(THINKING_SIGNATURE_SECRET + " must have at least 16 characters");
                    }
                    return Secret.of(secret);
                }),
                lookup.find(AZURE_API_VERSION).map(String::strip).orElse("2024-10-21"),
                upstreamKeys(lookup),
                bool(lookup, CLIENT_KEY_OVERRIDES_SERVER_KEY, false),
                clientAuth(lookup),
                allowlist(lookup),
                limits(lookup),
                list(lookup, CORS_ALLOWED_ORIGINS),
                list(lookup, ALLOWED_HOSTS),
                lookup.find(PUBLIC_URL).map(url -> baseUrl(PUBLIC_URL, url)),
                Duration.ofSeconds(positive(lookup, SHUTDOWN_GRACE_SECONDS, 30)),
                bool(lookup, METRICS_ENABLED, true),
                new RetryPolicy((int) count(lookup, UPSTREAM_RETRIES, 2, 10), Duration.ofMillis(500),
                        Duration.ofSeconds(positive(lookup, UPSTREAM_RETRY_MAX_WAIT_SECONDS, 10))),
                fallbacks(lookup, tiers),
                Duration.ofSeconds(count(lookup, UPSTREAM_COOLDOWN_SECONDS, 30, 86_400)),
                upstreams(lookup),
                autoModeRoute(lookup, tiers),
                new GroupModels(pairs(lookup, GROUP_MODELS, "group=host/model patterns (separated by spaces)",
                        patterns -> List.of(patterns.split("\\s+")))),
                usage(lookup));
    }

    private static Usage usage(Lookup lookup) {
        String outage = lookup.find(LEDGER_OUTAGE).map(value -> value.strip().toLowerCase(Locale.ROOT)).orElse("serve");
        if (!outage.equals("serve") && !outage.equals("refuse")) {
            throw new IllegalArgumentException(LEDGER_OUTAGE + " is serve (on the last counters read) or refuse, not '"
                    + outage + "'");
        }
        Optional<String> dataSource = lookup.find(LEDGER_DATASOURCE).map(String::strip).filter(name -> !name.isEmpty());
        return new Usage(bool(lookup, LEDGER, true), dataSource.orElse("jdbc/claude-proxy"), dataSource.isPresent(),
                lookup.find(LEDGER_JDBC_URL).map(String::strip).filter(url -> !url.isEmpty()),
                (int) count(lookup, LEDGER_RETENTION_DAYS, 90, 36_500), outage.equals("refuse"),
                lookup.find(POLICY_FILE).map(String::strip).filter(path -> !path.isEmpty()).map(java.nio.file.Path::of),
                list(lookup, USAGE_ADMINS));
    }

    /**
     * {@code AUTO_MODE_ROUTE}: a configured route's name (haiku, sonnet, opus, default), or
     * {@code request} for none; unset, the Haiku route when there is one.
     */
    private static Optional<Tier> autoModeRoute(Lookup lookup, Map<Tier, TierRoute> tiers) {
        Optional<String> text = lookup.find(AUTO_MODE_ROUTE).map(value -> value.strip().toLowerCase(Locale.ROOT));
        if (text.isEmpty()) {
            return tiers.containsKey(Tier.HAIKU) ? Optional.of(Tier.HAIKU) : Optional.empty();
        }
        if (text.get().equals("request")) {
            return Optional.empty();
        }
        Tier tier;
        try {
            tier = Tier.valueOf(text.get().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(AUTO_MODE_ROUTE + " names a route (haiku, sonnet, opus, default) or"
                    + " 'request'; not '" + text.get() + "'", e);
        }
        if (!tiers.containsKey(tier)) {
            throw new IllegalArgumentException(AUTO_MODE_ROUTE + "=" + text.get() + " names a route that is not configured ("
                    + tier.baseUrlSetting() + ", " + tier.modelSetting() + ")");
        }
        return Optional.of(tier);
    }

    /** The upstream an operator named {@code name} in {@code UPSTREAMS}. */
    public Optional<NamedUpstream> upstream(String name) {
        return Optional.ofNullable(upstreams.get(name));
    }

    /**
     * {@code UPSTREAMS}: comma-separated {@code name=base-url} entries, each optionally followed by
     * {@code |model}, the model for Claude model names when the path names none
     * ({@code ollama=http://gpu-box:11434/v1|qwen3:8b}).
     */
    private static Map<String, NamedUpstream> upstreams(Lookup lookup) {
        Map<String, NamedUpstream> upstreams = new LinkedHashMap<>();
        pairs(lookup, UPSTREAMS, "name=base-url[|model]", text -> text).forEach((name, value) -> {
            if (!NamedUpstream.validName(name)) {
                throw new IllegalArgumentException(UPSTREAMS + ": the name '" + name + "' is not letters, digits and '-'");
            }
            int bar = value.indexOf('|');
            String url = bar < 0 ? value : value.substring(0, bar);
            Optional<String> model = bar < 0 ? Optional.empty() : Optional.of(value.substring(bar + 1).strip())
                    .filter(text -> !text.isEmpty());
            upstreams.put(name, new NamedUpstream(name,
                    Dialect.endpoint(baseUrl(UPSTREAMS + " (" + name + ")", url)), model));
        });
        return upstreams;
    }

    /** The routes tried, in order, when {@code first} fails before answering: its fallback, that one's, and so on. */
    public List<TierRoute> fallbacksOf(Tier first) {
        List<TierRoute> chain = new ArrayList<>();
        Set<Tier> seen = EnumSet.of(first);
        for (Tier next = fallbacks.get(first); next != null && seen.add(next); next = fallbacks.get(next)) {
            chain.add(tiers.get(next));
        }
        return chain;
    }

    /** Whether {@code ALLOWED_HOSTS} is set: only requests under a {@code Host} it names are answered. */
    public boolean checksHosts() {
        return !allowedHosts.isEmpty();
    }

    /** Whether a request's {@code Host} header is one this gateway answers ({@code ALLOWED_HOSTS}). */
    public boolean answersHost(String hostHeader) {
        if (allowedHosts.isEmpty()) {
            return true;
        }
        if (hostHeader == null) {
            return false;
        }
        String host = hostHeader.strip().toLowerCase(Locale.ROOT);
        int colon = host.lastIndexOf(':');
        String withoutPort = colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
        return allowedHosts.contains(host) || allowedHosts.contains(withoutPort);
    }

    public Optional<TierRoute> tier(Tier tier) {
        return Optional.ofNullable(tiers.get(tier));
    }

    public Optional<TierRoute> haiku() {
        return tier(Tier.HAIKU);
    }

    /** The server-held key for exactly this upstream origin (scheme, host and port), if one is configured. */
    public Optional<Secret> upstreamKey(Origin origin) {
        return Optional.ofNullable(upstreamKeys.get(origin));
    }

    /**
     * The output-token cap for a model at an upstream host: the host's configured cap when there
     * is one; else the global cap, lowered to the model's known limit.
     */
    public int maxOutputTokensFor(String host, OptionalInt knownModelLimit) {
        Integer hostCap = maxOutputTokensByHost.get(host.toLowerCase(Locale.ROOT));
        if (hostCap != null) {
            return hostCap;
        }
        return Math.min(maxOutputTokens, knownModelLimit.orElse(Integer.MAX_VALUE));
    }

    /** The context window of a model at an upstream ({@code CONTEXT_WINDOWS}, else documented), if known. */
    public OptionalInt contextWindow(URI upstream, String model) {
        return ContextWindows.of(upstream.getHost(), upstream.getPort(), model, contextWindows, profileByHost);
    }

    private static Map<Tier, TierRoute> tiers(Lookup lookup) {
        Map<Tier, TierRoute> tiers = new EnumMap<>(Tier.class);
        for (Tier tier : Tier.values()) {
            Optional<String> baseUrl = lookup.find(tier.baseUrlSetting());
            Optional<String> model = lookup.find(tier.modelSetting());
            if (baseUrl.isEmpty() && model.isEmpty()) {
                continue;
            }
            if (baseUrl.isEmpty() || model.isEmpty()) {
                String missing = baseUrl.isEmpty() ? tier.baseUrlSetting() : tier.modelSetting();
                throw new IllegalArgumentException(missing + " must be set too: the " + tier.name().toLowerCase(Locale.ROOT)
                        + " route needs " + tier.baseUrlSetting() + " and " + tier.modelSetting());
            }
            tiers.put(tier, new TierRoute(tier, baseUrl(tier.baseUrlSetting(), baseUrl.get()), model.get().strip(),
                    lookup.find(tier.keySetting()).map(Secret::of), bool(lookup, tier.clientKeySetting(), false)));
        }
        return tiers;
    }

    /**
     * {@code UPSTREAM_KEYS_BY_HOST}: {@code origin=key} pairs, where {@code host} or
     * {@code host:port} means https (port 443 by default) and plain http must be written out
     * ({@code http://host:port=key}), so a server-held key never goes over http by default.
     */
    private static Map<Origin, Secret> upstreamKeys(Lookup lookup) {
        Map<Origin, Secret> keys = new LinkedHashMap<>();
        pairs(lookup, UPSTREAM_KEYS_BY_HOST, "host[:port]=key or http(s)://host:port=key", Secret::of)
                .forEach((origin, key) -> {
                    try {
                        keys.put(Origin.parse(origin), key);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(UPSTREAM_KEYS_BY_HOST + ": " + e.getMessage(), e);
                    }
                });
        return keys;
    }

    private static Timeouts timeouts(Lookup lookup) {
        return new Timeouts(
                Duration.ofSeconds(positive(lookup, UPSTREAM_CONNECT_TIMEOUT_SECONDS, 10)),
                Duration.ofSeconds(positive(lookup, UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS, 300)),
                Duration.ofSeconds(positive(lookup, AUTO_MODE_FIRST_BYTE_TIMEOUT_SECONDS, 30)),
                Duration.ofSeconds(positive(lookup, UPSTREAM_READ_TIMEOUT_SECONDS, 300)),
                Duration.ofSeconds(positive(lookup, EXCHANGE_TIMEOUT_SECONDS, 3600)),
                Duration.ofSeconds(positive(lookup, KEEPALIVE_SECONDS, 1)),
                Duration.ofSeconds(positive(lookup, CLIENT_BODY_TIMEOUT_SECONDS, 120)),
                count(lookup, CLIENT_BODY_MIN_BYTES_PER_SECOND, 8192, Long.MAX_VALUE));
    }

    private static Limits limits(Lookup lookup) {
        long inFlight = positive(lookup, MAX_REQUEST_BYTES_IN_FLIGHT, defaultBytesInFlight(), Long.MAX_VALUE);
        long maxRequest = positive(lookup, MAX_REQUEST_BYTES, Math.min(DEFAULT_MAX_REQUEST_BYTES, inFlight), Long.MAX_VALUE);
        if (maxRequest > inFlight) {
            throw new IllegalArgumentException(MAX_REQUEST_BYTES + " (" + maxRequest + ") is larger than "
                    + MAX_REQUEST_BYTES_IN_FLIGHT + " (" + inFlight + "): no request that large could ever be taken");
        }
        return new Limits(maxRequest,
                (int) positive(lookup, UPSTREAM_MAX_EVENT_BYTES, 4L << 20, Integer.MAX_VALUE - 8),
                positive(lookup, UPSTREAM_MAX_ANSWER_BYTES, 16L << 20, Long.MAX_VALUE),
                inFlight,
                (int) positive(lookup, MAX_CONCURRENT_EXCHANGES, 512, 1_000_000));
    }

    private static UpstreamAllowlist allowlist(Lookup lookup) {
        try {
            return UpstreamAllowlist.parse(list(lookup, UPSTREAM_ALLOWLIST));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(UPSTREAM_ALLOWLIST + ": " + e.getMessage(), e);
        }
    }

    private static Map<Tier, Tier> fallbacks(Lookup lookup, Map<Tier, TierRoute> tiers) {
        Map<Tier, Tier> fallbacks = new EnumMap<>(Tier.class);
        for (Tier tier : Tier.values()) {
            Optional<String> text = lookup.find(tier.fallbackSetting()).map(String::strip);
            if (text.isEmpty()) {
                continue;
            }
            Tier next;
            try {
                next = Tier.valueOf(text.get().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(tier.fallbackSetting() + " names a route: haiku, sonnet, opus or default;"
                        + " not '" + text.get() + "'", e);
            }
            if (!tiers.containsKey(tier) || !tiers.containsKey(next) || next == tier) {
                throw new IllegalArgumentException(tier.fallbackSetting() + "=" + text.get() + " needs both routes"
                        + " configured (" + tier.baseUrlSetting() + ", " + next.baseUrlSetting() + "), and two different ones");
            }
            fallbacks.put(tier, next);
        }
        return fallbacks;
    }

    private static ClientAuth clientAuth(Lookup lookup) {
        String modeText = lookup.find(CLIENT_AUTH).map(String::strip).orElse("none");
        ClientAuth.Mode mode;
        try {
            mode = ClientAuth.Mode.valueOf(modeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(CLIENT_AUTH + " must be one of none, keys, principal, header, jwt, sso; not '"
                    + modeText + "'", e);
        }
        List<Secret> keys = list(lookup, CLIENT_KEYS).stream().map(Secret::of).toList();
        List<ClientAuth.KeyGroup> keyGroups = keyGroups(lookup);
        if (mode == ClientAuth.Mode.KEYS && keys.isEmpty() && keyGroups.isEmpty()) {
            throw new IllegalArgumentException(CLIENT_KEYS + " (or " + CLIENT_KEY_GROUPS + ") must list at least one key when "
                    + CLIENT_AUTH + "=keys");
        }
        String header = lookup.find(CLIENT_USER_HEADER).map(String::strip).orElse("X-Forwarded-User");
        if (!header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
            throw new IllegalArgumentException(CLIENT_USER_HEADER + " is not a header name: '" + header + "'");
        }
        String groupsHeader = lookup.find(CLIENT_GROUPS_HEADER).map(String::strip).orElse("X-Forwarded-Groups");
        if (!groupsHeader.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
            throw new IllegalArgumentException(CLIENT_GROUPS_HEADER + " is not a header name: '" + groupsHeader + "'");
        }
        return new ClientAuth(mode, keys, keyGroups, header, groupsHeader,
                mode == ClientAuth.Mode.JWT ? Optional.of(jwtAuth(lookup)) : Optional.empty(),
                mode == ClientAuth.Mode.SSO ? Optional.of(signIn(lookup)) : Optional.empty());
    }

    /**
     * {@code CLIENT_KEY_GROUPS}: {@code group=key key ...} entries separated by commas. A group's
     * name has no {@code =}, so whatever follows the first one is keys, whatever they hold.
     */
    private static List<ClientAuth.KeyGroup> keyGroups(Lookup lookup) {
        List<ClientAuth.KeyGroup> keyGroups = new ArrayList<>();
        for (String entry : list(lookup, CLIENT_KEY_GROUPS)) {
            String[] pair = entry.split("=", 2);
            String group = pair[0].strip();
            List<String> groupKeys = pair.length < 2 ? List.of() : List.of(pair[1].strip().split("\\s+"));
            if (group.isEmpty() || groupKeys.isEmpty() || groupKeys.get(0).isEmpty()) {
                // The entry may hold a key: name only what precedes the first '='.
                throw new IllegalArgumentException(CLIENT_KEY_GROUPS + " takes group=key pairs (keys separated by spaces),"
                        + " separated by commas; the entry for '" + group + "' is not one");
            }
            groupKeys.forEach(key -> keyGroups.add(new ClientAuth.KeyGroup(group, Secret.of(key))));
        }
        return keyGroups;
    }

    private static SignIn signIn(Lookup lookup) {
        URI issuer = lookup.find(SSO_ISSUER).map(String::strip).map(text -> absoluteUrl(SSO_ISSUER, text))
                .orElseThrow(() -> new IllegalArgumentException(SSO_ISSUER + " must name the identity provider's issuer when "
                        + CLIENT_AUTH + "=sso"));
        String clientId = lookup.find(SSO_CLIENT_ID).map(String::strip).orElseThrow(() -> new IllegalArgumentException(
                SSO_CLIENT_ID + " must be the gateway's client id at the identity provider when " + CLIENT_AUTH + "=sso"));
        Secret clientSecret = lookup.find(SSO_CLIENT_SECRET).map(String::strip).map(Secret::of).orElseThrow(() ->
                new IllegalArgumentException(SSO_CLIENT_SECRET + " must be the gateway's client secret at the identity provider"
                        + " when " + CLIENT_AUTH + "=sso"));
        Optional<Secret> sessionSecret = lookup.find(SESSION_SECRET).map(String::strip).map(Secret::of);
        if (sessionSecret.isPresent() && sessionSecret.get().reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException(SESSION_SECRET + " must be at least 32 bytes (a random string of 43 base64"
                    + " characters or more)");
        }
        return new SignIn(issuer, clientId, clientSecret,
                lookup.find(SSO_SCOPES).map(String::strip).orElse("openid profile email offline_access"), sessionSecret,
                Duration.ofMinutes(wholeNumber(lookup, SESSION_TTL_MINUTES, 60, 1, 24 * 60)),
                userClaims(lookup), groupsClaim(lookup), managedSettings(lookup),
                list(lookup, SSO_ALLOWED_GROUPS), list(lookup, SSO_ALLOWED_DOMAINS),
                lookup.find(OTLP_ENDPOINT).map(String::strip).filter(text -> !text.isEmpty())
                        .map(text -> absoluteUrl(OTLP_ENDPOINT, text)), collectorHeaders(lookup));
    }

    /** {@code OTLP_HEADERS}: {@code name=value} pairs, as OpenTelemetry's {@code OTEL_EXPORTER_OTLP_HEADERS} writes them. */
    private static Map<String, Secret> collectorHeaders(Lookup lookup) {
        Map<String, Secret> headers = new LinkedHashMap<>();
        pairs(lookup, OTLP_HEADERS, "name=value", Secret::of).forEach((name, value) -> {
            if (!name.matches("[a-z0-9!#$%&'*+.^_`|~-]+")) {
                throw new IllegalArgumentException(OTLP_HEADERS + ": '" + name + "' is not a header name");
            }
            headers.put(name, value);
        });
        return headers;
    }

    /** {@code MANAGED_SETTINGS}: a JSON object of group → Claude Code settings object. */
    private static Map<String, JsonObject> managedSettings(Lookup lookup) {
        Optional<String> text = lookup.find(MANAGED_SETTINGS).map(String::strip).filter(value -> !value.isEmpty());
        if (text.isEmpty()) {
            return Map.of();
        }
        JsonObject groups;
        try (JsonReader reader = Json.JSON_P.createReader(new StringReader(text.get()))) {
            groups = reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new IllegalArgumentException(MANAGED_SETTINGS + " must be a JSON object of group names to Claude Code"
                    + " settings objects: " + e.getMessage(), e);
        }
        Map<String, JsonObject> settings = new LinkedHashMap<>();
        groups.forEach((group, value) -> {
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new IllegalArgumentException(MANAGED_SETTINGS + ": the settings of group '" + group
                        + "' must be a JSON object");
            }
            settings.put(group, value.asJsonObject());
        });
        return settings;
    }

    private static JwtAuth jwtAuth(Lookup lookup) {
        URI issuer = lookup.find(JWT_ISSUER).map(String::strip).map(text -> absoluteUrl(JWT_ISSUER, text))
                .orElseThrow(() -> new IllegalArgumentException(JWT_ISSUER + " must name the identity provider's issuer"
                        + " when " + CLIENT_AUTH + "=jwt"));
        List<String> audiences = list(lookup, JWT_AUDIENCE);
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException(JWT_AUDIENCE + " must name what tokens for this gateway carry as aud"
                    + " (its client id or API audience) when " + CLIENT_AUTH + "=jwt");
        }
        Set<String> algorithms = new LinkedHashSet<>(list(lookup, JWT_ALGORITHMS));
        if (algorithms.isEmpty()) {
            algorithms.addAll(List.of("RS256", "ES256"));
        }
        for (String algorithm : algorithms) {
            if (!JwtAuth.ASYMMETRIC.contains(algorithm)) {
                throw new IllegalArgumentException(JWT_ALGORITHMS + " takes only algorithms a provider's public keys verify ("
                        + new TreeSet<>(JwtAuth.ASYMMETRIC) + "), not '" + algorithm + "'");
            }
        }
        return new JwtAuth(issuer, audiences, lookup.find(JWT_JWKS_URL).map(String::strip)
                .map(text -> absoluteUrl(JWT_JWKS_URL, text)), algorithms, userClaims(lookup), groupsClaim(lookup),
                Duration.ofSeconds(60));
    }

    /** {@code JWT_USER_CLAIM}, for tokens and for sign-in: the claims that name a user, the first present wins. */
    private static List<String> userClaims(Lookup lookup) {
        List<String> claims = list(lookup, JWT_USER_CLAIM);
        return claims.isEmpty() ? List.of("email", "preferred_username", "sub") : claims;
    }

    /** {@code JWT_GROUPS_CLAIM}, for tokens and for sign-in: where a user's groups are, a dotted path. */
    private static String groupsClaim(Lookup lookup) {
        return lookup.find(JWT_GROUPS_CLAIM).map(String::strip).orElse("groups");
    }

    /** An http or https URL with a host, as written (an issuer must match the token's {@code iss} exactly). */
    private static URI absoluteUrl(String name, String text) {
        try {
            URI url = new URI(text);
            if (!("https".equals(url.getScheme()) || "http".equals(url.getScheme())) || url.getHost() == null) {
                throw new URISyntaxException(text, "not an http or https URL with a host");
            }
            return url;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " must be an http or https URL, not '" + text + "'", e);
        }
    }

    /** A base URL with its scheme optional (https by default) and no trailing slash. */
    static URI baseUrl(String setting, String text) {
        String value = text.strip();
        if (!value.contains("://")) {
            value = "https://" + value;
        }
        while (value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        try {
            URI uri = new URI(value);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new URISyntaxException(value, "needs an http(s) scheme and a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(setting + " is not a valid base URL: " + e.getMessage(), e);
        }
    }

    private static int positive(Lookup lookup, String name, int fallback) {
        return (int) wholeNumber(lookup, name, fallback, 1, Integer.MAX_VALUE);
    }

    private static long positive(Lookup lookup, String name, long fallback, long max) {
        return wholeNumber(lookup, name, fallback, 1, max);
    }

    /** A whole number from 0 to {@code max}. */
    private static long count(Lookup lookup, String name, long fallback, long max) {
        return wholeNumber(lookup, name, fallback, 0, max);
    }

    /** A whole number from {@code min} to {@code max}; anything else fails naming the setting. */
    private static long wholeNumber(Lookup lookup, String name, long fallback, long min, long max) {
        Optional<String> text = lookup.find(name);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text.get().strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the setting's name
        }
        String range = min == 1 ? "a positive whole number" : "a whole number from " + min + " to " + max;
        throw new IllegalArgumentException(name + " must be " + range + ", not '" + text.get() + "'");
    }

    private static boolean bool(Lookup lookup, String name, boolean fallback) {
        Optional<String> text = lookup.find(name).map(v -> v.strip().toLowerCase(Locale.ROOT));
        if (text.isEmpty()) {
            return fallback;
        }
        switch (text.get()) {
            case "true", "yes", "on", "1":
                return true;
            case "false", "no", "off", "0":
                return false;
            default:
                throw new IllegalArgumentException(name + " must be true or false, not '" + text.get() + "'");
        }
    }

    /** A setting of comma-separated values. */
    private static List<String> list(Lookup lookup, String name) {
        return lookup.find(name).map(text -> Arrays.stream(text.split(",")).map(String::strip)
                .filter(v -> !v.isEmpty()).toList()).orElse(List.of());
    }

    /** A setting of comma-separated {@code host=value} pairs; hosts are matched case-insensitively. */
    private static <T> Map<String, T> pairs(Lookup lookup, String name, String form, Function<String, T> parse) {
        Map<String, T> values = new LinkedHashMap<>();
        for (String entry : list(lookup, name)) {
            String[] pair = entry.split("=", 2);
            try {
                if (pair.length < 2 || pair[0].isBlank()) {
                    throw new IllegalArgumentException("no host");
                }
                values.put(pair[0].strip().toLowerCase(Locale.ROOT), parse.apply(pair[1].strip()));
            } catch (IllegalArgumentException e) {
                // The value may be a key: name only the host part.
                throw new IllegalArgumentException(name + " takes " + form + " pairs separated by commas; the entry for '"
                        + pair[0].strip() + "' is not one (" + e.getMessage() + ")", e);
            }
        }
        return values;
    }

    private static Integer positiveNumber(String text) {
        int value = Integer.parseInt(text);
        if (value <= 0) {
            throw new IllegalArgumentException("not positive");
        }
        return value;
    }

    /**
     * A context window: whole tokens, or thousands and millions as Claude Code writes them
     * ({@code 128k}, {@code 1m}); at least 1,000, so that "128" meant as 128k fails here.
     */
    static Integer contextWindow(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        long unit = value.endsWith("k") ? 1_000 : value.endsWith("m") ? 1_000_000 : 1;
        String digits = unit == 1 ? value : value.substring(0, value.length() - 1);
        if (!digits.matches("[0-9]{1,10}")) {
            throw new IllegalArgumentException("'" + text + "' is not a number of tokens such as 131072 or 128k");
        }
        long tokens = Long.parseLong(digits) * unit;
        if (tokens < 1_000 || tokens > 100_000_000) {
            throw new IllegalArgumentException(tokens + " tokens is not a context window (from 1000 to 100m)");
        }
        return (int) tokens;
    }

    private static Profile profile(String text) {
        try {
            return Profile.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown profile '" + text + "'; known: "
                    + Arrays.toString(Profile.values()).toLowerCase(Locale.ROOT), e);
        }
    }
}
