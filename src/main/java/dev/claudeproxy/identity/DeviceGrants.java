package dev.claudeproxy.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * The sign-ins under way (RFC 8628 device grants): each started by Claude Code, carried on in a
 * browser, completed at the identity provider, and then taken, once, by Claude Code's next poll.
 * Codes are random (256 bits for the device code), single use and expire after ten minutes; at
 * most {@value #MAX_GRANTS} are held.
 *
 * <p>They are kept in a {@link GrantStore}, this node's memory or one the nodes share: each step
 * may reach any node. The store learns no code: it names entries by a keyed hash of the code
 * (the key drawn from the session secret, which every node shares), and holds each entry
 * encrypted with a key drawn from the same secret (JWE, AES-256-GCM), the tokens of a completed
 * sign-in among them. What changes an entry starts from the version it read, so a code, a
 * state and a completed sign-in's tokens are each taken once, whichever node takes them.
 */
public final class DeviceGrants {

    public static final Duration LIFETIME = Duration.ofMinutes(10);
    /** How often Claude Code is asked to poll, in seconds. */
    public static final int INTERVAL_SECONDS = 5;
    static final int MAX_GRANTS = 10_000;
    /** RFC 8628's base-20 alphabet: no vowels, no look-alikes. */
    private static final String USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ";
    /** The prefixes of the store's names: a grant by device code, a user code, a browser step by state. */
    private static final String GRANT = "d:";
    private static final String USER_CODE = "u:";
    private static final String STEP = "s:";
    /** One per page sign-in under way, to bound them (their steps share {@link #STEP} with Claude Code's). */
    private static final String PAGE_STEP_COUNT = "p:";
    /** A change that loses a race with another node's is tried again this many times. */
    private static final int TRIES = 5;

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final GrantStore store;
    private final Seal seal;

    /**
     * @param secret the session secret, the same on every node that shares {@code store}
     */
    public DeviceGrants(Clock clock, GrantStore store, byte[] secret) {
        this.clock = clock;
        this.store = store;
        this.seal = new Seal(secret, "device grants");
    }

    /** What Claude Code's poll learns. */
    public enum Outcome { PENDING, SLOW_DOWN, COMPLETE, DENIED, EXPIRED }

    /** The tokens a completed sign-in hands Claude Code. */
    public record Tokens(String accessToken, long expiresIn, Optional<String> refreshToken, Optional<String> email) {
    }

    /** A poll's answer: its outcome, and the tokens when complete. */
    public record Poll(Outcome outcome, Optional<Tokens> tokens) {
    }

    /** A new sign-in's codes. */
    public record Started(String deviceCode, String userCode) {
    }

    /**
     * The browser's part of a sign-in, kept under the random {@code state} sent to the identity
     * provider: the grant it completes, the PKCE verifier and nonce, and the hash of the secret the
     * browser holds in a cookie (so the sign-in ends only in the browser that started it).
     */
    public record BrowserStep(String deviceCode, String codeVerifier, String nonce, byte[] browserSecretHash,
                              Instant expiresAt) {

        /** Whether it signs a browser in to the gateway's own pages (the usage page), not a Claude Code sign-in. */
        public boolean forPages() {
            return deviceCode.isEmpty();
        }
    }

    /** A sign-in under way, as the store holds it (sealed). */
    private record Grant(String userCode, Instant expiresAt, Outcome outcome, Optional<Tokens> tokens, Instant lastPoll,
                         Optional<String> browserState) {

        Grant with(Outcome newOutcome, Optional<Tokens> newTokens) {
            return new Grant(userCode, expiresAt, newOutcome, newTokens, lastPoll, browserState);
        }

        Grant polledAt(Instant now) {
            return new Grant(userCode, expiresAt, outcome, tokens, now, browserState);
        }

        Grant withStep(String state) {
            return new Grant(userCode, expiresAt, outcome, tokens, lastPoll, Optional.of(state));
        }
    }

    /** A grant as read, with the version a change starts from. */
    private record Read(Grant grant, long version) {
    }

    /**
     * @return the new grant's codes, or empty when {@value #MAX_GRANTS} are under way
     * @throws GrantStore.Unavailable when a shared store cannot be reached
     */
    public Optional<Started> start() {
        Instant now = clock.instant();
        store.purge(now);
        if (store.count(GRANT, now) >= MAX_GRANTS) {
            return Optional.empty();
        }
        String deviceCode = randomToken();
        Instant expiresAt = now.plus(LIFETIME);
        String userCode;
        do {
            userCode = userCode();
        } while (!store.add(USER_CODE + name(userCode), seal(new JWTClaimsSet.Builder().claim("dc", deviceCode)), expiresAt));
        store.add(GRANT + name(deviceCode), seal(new Grant(userCode, expiresAt, Outcome.PENDING, Optional.empty(),
                Instant.EPOCH, Optional.empty())), expiresAt);
        return Optional.of(new Started(deviceCode, userCode));
    }

    /** The pending grant a code typed in a browser names: compared without case or punctuation. */
    public Optional<String> pendingByUserCode(String typed) {
        String normal = typed == null ? "" : typed.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
        if (normal.length() != 8) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<String> deviceCode = store.get(USER_CODE + name(normal.substring(0, 4) + "-" + normal.substring(4)), now)
                .flatMap(held -> unseal(held.value())).map(claims -> text(claims, "dc"));
        return deviceCode.filter(code -> read(code, now).filter(read -> read.grant().outcome() == Outcome.PENDING)
                .isPresent());
    }

    /**
     * A browser's start of a sign-in: the random state, PKCE verifier and nonce to send the identity
     * provider, and the secret the browser keeps in a cookie.
     */
    public record BrowserStart(String state, String codeVerifier, String nonce, String browserSecret) {
    }

    /**
     * Keeps the browser's part of a sign-in under a new random state (256 bits each, for state,
     * verifier, nonce and secret), in place of any earlier one of the same sign-in: a code entered
     * again and again holds one step, so the steps held are bounded by the sign-ins under way.
     */
    public BrowserStart holdBrowserStep(String deviceCode) {
        BrowserStart start = new BrowserStart(randomToken(), randomToken(), randomToken(), randomToken());
        Instant now = clock.instant();
        for (int attempt = 0; attempt < TRIES; attempt++) {
            Optional<Read> read = read(deviceCode, now);
            if (read.isEmpty()) {
                return start; // gone meanwhile: its state will name nothing
            }
            Grant grant = read.get().grant();
            if (store.replace(GRANT + name(deviceCode), read.get().version(), seal(grant.withStep(start.state())))) {
                grant.browserState().ifPresent(earlier -> store.remove(STEP + name(earlier)));
                store.add(STEP + name(start.state()), seal(new JWTClaimsSet.Builder().claim("dc", deviceCode)
                        .claim("cv", start.codeVerifier()).claim("n", start.nonce())
                        .claim("bh", Base64.getEncoder().encodeToString(Digests.sha256(start.browserSecret())))
                        .claim("x", grant.expiresAt().toEpochMilli())),
                        grant.expiresAt());
                return start;
            }
        }
        return start; // lost every race: this state names nothing, and the page is reloaded
    }

    /**
     * A browser's sign-in to the gateway's own pages (the usage page): a browser step of no device
     * grant, under its own random state, verifier, nonce and cookie secret; ten minutes to come back.
     *
     * @return empty when {@value #MAX_GRANTS} such steps are under way
     */
    public Optional<BrowserStart> holdPageStep() {
        Instant now = clock.instant();
        if (store.count(PAGE_STEP_COUNT, now) >= MAX_GRANTS) {
            store.purge(now);
            if (store.count(PAGE_STEP_COUNT, now) >= MAX_GRANTS) {
                return Optional.empty();
            }
        }
        BrowserStart start = new BrowserStart(randomToken(), randomToken(), randomToken(), randomToken());
        Instant expiresAt = now.plus(LIFETIME);
        store.add(PAGE_STEP_COUNT + name(start.state()), "", expiresAt);
        store.add(STEP + name(start.state()), seal(new JWTClaimsSet.Builder().claim("dc", "")
                .claim("cv", start.codeVerifier()).claim("n", start.nonce())
                .claim("bh", Base64.getEncoder().encodeToString(Digests.sha256(start.browserSecret())))
                .claim("x", expiresAt.toEpochMilli())), expiresAt);
        return Optional.of(start);
    }

    /** The browser step a state names, once: a state is good for one return from the identity provider. */
    public Optional<BrowserStep> takeBrowserStep(String state) {
        if (state == null) {
            return Optional.empty();
        }
        String name = STEP + name(state);
        Optional<GrantStore.Held> held = store.get(name, clock.instant());
        if (held.isEmpty() || !store.remove(name, held.get().version())) {
            return Optional.empty();
        }
        Optional<BrowserStep> step = unseal(held.get().value()).map(claims -> new BrowserStep(text(claims, "dc"),
                text(claims, "cv"), text(claims, "n"), Base64.getDecoder().decode(text(claims, "bh")), instant(claims, "x")));
        if (step.isPresent() && step.get().forPages()) {
            store.remove(PAGE_STEP_COUNT + name(state));
        }
        return step;
    }

    /** Whether a browser's cookie secret is the one its sign-in started with. */
    public static boolean sameBrowser(BrowserStep step, String browserSecret) {
        return browserSecret != null && MessageDigest.isEqual(step.browserSecretHash(), Digests.sha256(browserSecret));
    }

    public void complete(String deviceCode, Tokens tokens) {
        end(deviceCode, Outcome.COMPLETE, Optional.of(tokens));
    }

    public void deny(String deviceCode) {
        end(deviceCode, Outcome.DENIED, Optional.empty());
    }

    private void end(String deviceCode, Outcome outcome, Optional<Tokens> tokens) {
        Instant now = clock.instant();
        for (int attempt = 0; attempt < TRIES; attempt++) {
            Optional<Read> read = read(deviceCode, now);
            if (read.isEmpty() || read.get().grant().outcome() != Outcome.PENDING
                    || store.replace(GRANT + name(deviceCode), read.get().version(), seal(read.get().grant().with(outcome,
                    tokens)))) {
                return;
            }
        }
    }

    /** Claude Code's poll: a terminal answer is given once, and the grant forgotten. */
    public Poll poll(String deviceCode) {
        Instant now = clock.instant();
        Optional<Read> read = deviceCode == null ? Optional.empty() : read(deviceCode, now);
        if (read.isEmpty()) {
            return new Poll(Outcome.EXPIRED, Optional.empty());
        }
        Grant grant = read.get().grant();
        String name = GRANT + name(deviceCode);
        if (grant.outcome() == Outcome.PENDING) {
            boolean tooSoon = grant.lastPoll().plusSeconds(INTERVAL_SECONDS - 1).isAfter(now);
            store.replace(name, read.get().version(), seal(grant.polledAt(now))); // lost to a change: that one holds
            return new Poll(tooSoon ? Outcome.SLOW_DOWN : Outcome.PENDING, Optional.empty());
        }
        if (!store.remove(name, read.get().version())) {
            return new Poll(Outcome.EXPIRED, Optional.empty()); // another poll took it
        }
        store.remove(USER_CODE + name(grant.userCode()));
        grant.browserState().ifPresent(state -> store.remove(STEP + name(state)));
        return new Poll(grant.outcome(), grant.tokens());
    }

    private Optional<Read> read(String deviceCode, Instant now) {
        Optional<GrantStore.Held> held = store.get(GRANT + name(deviceCode), now);
        return held.flatMap(h -> unseal(h.value()).map(claims -> new Read(grant(claims), h.version())));
    }

    private String seal(Grant grant) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().claim("uc", grant.userCode())
                .claim("x", grant.expiresAt().toEpochMilli()).claim("o", grant.outcome().name())
                .claim("lp", grant.lastPoll().toEpochMilli());
        grant.browserState().ifPresent(state -> claims.claim("bs", state));
        grant.tokens().ifPresent(tokens -> {
            claims.claim("at", tokens.accessToken()).claim("ei", tokens.expiresIn());
            tokens.refreshToken().ifPresent(refresh -> claims.claim("rt", refresh));
            tokens.email().ifPresent(email -> claims.claim("em", email));
        });
        return seal(claims);
    }

    private static Grant grant(JWTClaimsSet claims) {
        Outcome outcome = Outcome.valueOf(text(claims, "o"));
        Optional<Tokens> tokens = claims.getClaim("at") == null ? Optional.empty()
                : Optional.of(new Tokens(text(claims, "at"), number(claims, "ei"),
                Optional.ofNullable((String) claims.getClaim("rt")), Optional.ofNullable((String) claims.getClaim("em"))));
        return new Grant(text(claims, "uc"), instant(claims, "x"), outcome, tokens, instant(claims, "lp"),
                Optional.ofNullable((String) claims.getClaim("bs")));
    }

    private String seal(JWTClaimsSet.Builder claims) {
        return seal.close(claims.build());
    }

    /** What an entry holds; empty for one another secret sealed (a node configured with another secret). */
    private Optional<JWTClaimsSet> unseal(String value) {
        return seal.open(value);
    }

    private static String text(JWTClaimsSet claims, String name) {
        return (String) claims.getClaim(name);
    }

    private static long number(JWTClaimsSet claims, String name) {
        return ((Number) claims.getClaim(name)).longValue();
    }

    private static Instant instant(JWTClaimsSet claims, String name) {
        return Instant.ofEpochMilli(number(claims, name));
    }

    /** The store's name for a code: its keyed hash, so that the store holds no code. */
    private String name(String code) {
        return seal.name(code);
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private String userCode() {
        StringBuilder code = new StringBuilder(9);
        for (int i = 0; i < 8; i++) {
            if (i == 4) {
                code.append('-');
            }
            code.append(USER_CODE_LETTERS.charAt(random.nextInt(USER_CODE_LETTERS.length())));
        }
        return code.toString();
    }
}
