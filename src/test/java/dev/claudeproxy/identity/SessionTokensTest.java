package dev.claudeproxy.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.config.Secret;
import dev.claudeproxy.error.ProxyException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SessionTokensTest {

    private static final byte[] KEY = "a-session-secret-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8);
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-02T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final SessionTokens tokens = new SessionTokens(KEY, Duration.ofHours(1), clock);
    private final Identity ada = new Identity("ada@corp.example", List.of("eng"));

    @Test
    void aTokenNamesItsUserAndGroupsUntilItExpires() {
        String token = tokens.issue("u-ada", ada, Optional.of("ada@corp.example")).token();
        assertEquals(ada, tokens.verify(Optional.of(Secret.of(token))));
        now.set(now.get().plus(Duration.ofMinutes(61)));
        assertTrue(refusal(token).contains("expired"));
    }

    /** Issue 25, point 3: a user the identity provider no longer refreshes loses every session at once. */
    @Test
    void aUserTheProviderDropsLosesEverySessionAtOnceButMaySignInAgain() {
        String first = tokens.issue("u-ada", ada, Optional.empty()).token();
        now.set(now.get().plusSeconds(30));
        String second = tokens.issue("u-ada", ada, Optional.empty()).token();
        String other = tokens.issue("u-bob", new Identity("bob", List.of()), Optional.empty()).token();
        now.set(now.get().plusSeconds(30));
        tokens.revokeSubject("u-ada");
        assertTrue(refusal(first).contains("no longer accepts"));
        assertTrue(refusal(second).contains("no longer accepts"));
        assertEquals("bob", tokens.verify(Optional.of(Secret.of(other))).user());
        now.set(now.get().plusSeconds(2));
        String again = tokens.issue("u-ada", ada, Optional.empty()).token();
        assertEquals(ada, tokens.verify(Optional.of(Secret.of(again))));
    }

    @Test
    void aTokenOfAnotherKeyOrAlgorithmIsRefused() {
        String foreign = new SessionTokens("another-secret-of-at-least-thirty-two-bytes!".getBytes(StandardCharsets.UTF_8),
                Duration.ofHours(1), clock).issue("u-ada", ada, Optional.empty()).token();
        assertTrue(refusal(foreign).contains("not one this gateway issued"));
        String[] parts = tokens.issue("u-ada", ada, Optional.empty()).token().split("\\.");
        String unsigned = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        assertTrue(refusal(unsigned).contains("not one this gateway issued"));
        assertTrue(assertThrows(ProxyException.class, () -> tokens.verify(Optional.empty())).getMessage().contains("/login"));
    }

    private String refusal(String token) {
        ProxyException refused = assertThrows(ProxyException.class, () -> tokens.verify(Optional.of(Secret.of(token))));
        assertEquals(401, refused.status());
        return refused.getMessage();
    }
}
