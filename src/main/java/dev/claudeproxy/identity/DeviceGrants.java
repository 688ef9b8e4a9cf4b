package dev.claudeproxy.identity;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sign-ins under way (RFC 8628 device grants), held in memory on this node: each started by
 * Claude Code, carried on in a browser, completed at the identity provider, and then taken, once,
 * by Claude Code's next poll. Codes are random (256 bits for the device code), single use and
 * expire after ten minutes; at most {@value #MAX_GRANTS} are held.
 */
public final class DeviceGrants {

    public static final Duration LIFETIME = Duration.ofMinutes(10);
    /** How often Claude Code is asked to poll, in seconds. */
    public static final int INTERVAL_SECONDS = 5;
    static final int MAX_GRANTS = 10_000;
    /** RFC 8628's base-20 alphabet: no vowels, no look-alikes. */
    private static final String USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ";

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Map<String, Grant> byDeviceCode = new ConcurrentHashMap<>();
    private final Map<String, String> deviceCodeByUserCode = new ConcurrentHashMap<>();
    private final Map<String, BrowserStep> byState = new ConcurrentHashMap<>();

    public DeviceGrants(Clock clock) {
        this.clock = clock;
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
    }

    private static final class Grant {
        final String userCode;
        final Instant expiresAt;
        volatile Outcome outcome = Outcome.PENDING;
        volatile Tokens tokens;
        volatile Instant lastPoll = Instant.EPOCH;
        /** The state of its browser step, when one is held: one at most, the last. */
        String browserState;

        Grant(String userCode, Instant expiresAt) {
            this.userCode = userCode;
            this.expiresAt = expiresAt;
        }
    }

    /** @return the new grant's codes, or empty when {@value #MAX_GRANTS} are under way */
    public Optional<Started> start() {
        purge();
        if (byDeviceCode.size() >= MAX_GRANTS) {
            return Optional.empty();
        }
        String deviceCode = randomToken();
        String userCode;
        do {
            userCode = userCode();
        } while (deviceCodeByUserCode.putIfAbsent(userCode, deviceCode) != null);
        byDeviceCode.put(deviceCode, new Grant(userCode, clock.instant().plus(LIFETIME)));
        return Optional.of(new Started(deviceCode, userCode));
    }

    /** The pending grant a code typed in a browser names: compared without case or punctuation. */
    public Optional<String> pendingByUserCode(String typed) {
        String normal = typed == null ? "" : typed.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
        if (normal.length() != 8) {
            return Optional.empty();
        }
        String deviceCode = deviceCodeByUserCode.get(normal.substring(0, 4) + "-" + normal.substring(4));
        Grant grant = deviceCode == null ? null : byDeviceCode.get(deviceCode);
        return grant != null && grant.outcome == Outcome.PENDING && clock.instant().isBefore(grant.expiresAt)
                ? Optional.of(deviceCode) : Optional.empty();
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
        Grant grant = byDeviceCode.get(deviceCode);
        if (grant == null) {
            return start; // gone meanwhile: its state will name nothing
        }
        synchronized (grant) {
            if (grant.browserState != null) {
                byState.remove(grant.browserState);
            }
            grant.browserState = start.state();
            byState.put(start.state(), new BrowserStep(deviceCode, start.codeVerifier(), start.nonce(),
                    Digests.sha256(start.browserSecret()), clock.instant().plus(LIFETIME)));
        }
        return start;
    }

    /** The browser step a state names, once: a state is good for one return from the identity provider. */
    public Optional<BrowserStep> takeBrowserStep(String state) {
        BrowserStep step = state == null ? null : byState.remove(state);
        return step != null && clock.instant().isBefore(step.expiresAt()) ? Optional.of(step) : Optional.empty();
    }

    /** Whether a browser's cookie secret is the one its sign-in started with. */
    public static boolean sameBrowser(BrowserStep step, String browserSecret) {
        return browserSecret != null && MessageDigest.isEqual(step.browserSecretHash(), Digests.sha256(browserSecret));
    }

    public void complete(String deviceCode, Tokens tokens) {
        Grant grant = byDeviceCode.get(deviceCode);
        if (grant != null && grant.outcome == Outcome.PENDING) {
            grant.tokens = tokens;
            grant.outcome = Outcome.COMPLETE;
        }
    }

    public void deny(String deviceCode) {
        Grant grant = byDeviceCode.get(deviceCode);
        if (grant != null && grant.outcome == Outcome.PENDING) {
            grant.outcome = Outcome.DENIED;
        }
    }

    /** Claude Code's poll: a terminal answer is given once, and the grant forgotten. */
    public Poll poll(String deviceCode) {
        Grant grant = deviceCode == null ? null : byDeviceCode.get(deviceCode);
        Instant now = clock.instant();
        if (grant == null || !now.isBefore(grant.expiresAt)) {
            forget(deviceCode);
            return new Poll(Outcome.EXPIRED, Optional.empty());
        }
        Outcome outcome = grant.outcome;
        if (outcome == Outcome.PENDING) {
            boolean tooSoon = grant.lastPoll.plusSeconds(INTERVAL_SECONDS - 1).isAfter(now);
            grant.lastPoll = now;
            return new Poll(tooSoon ? Outcome.SLOW_DOWN : Outcome.PENDING, Optional.empty());
        }
        forget(deviceCode);
        return new Poll(outcome, Optional.ofNullable(grant.tokens));
    }

    private void forget(String deviceCode) {
        if (deviceCode == null) {
            return;
        }
        Grant grant = byDeviceCode.remove(deviceCode);
        if (grant != null) {
            deviceCodeByUserCode.remove(grant.userCode);
            synchronized (grant) {
                if (grant.browserState != null) {
                    byState.remove(grant.browserState);
                }
            }
        }
    }

    private void purge() {
        Instant now = clock.instant();
        byDeviceCode.entrySet().removeIf(entry -> {
            boolean expired = !now.isBefore(entry.getValue().expiresAt);
            if (expired) {
                deviceCodeByUserCode.remove(entry.getValue().userCode);
            }
            return expired;
        });
        byState.values().removeIf(step -> !now.isBefore(step.expiresAt()));
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
