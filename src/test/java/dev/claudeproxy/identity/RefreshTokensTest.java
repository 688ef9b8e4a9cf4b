package dev.claudeproxy.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RefreshTokensTest {

    private static final RefreshTokens TOKENS = new RefreshTokens(
            "a-session-secret-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8));

    @Test
    void aWrappedTokenNamesItsUserAndHidesTheProvidersToken() {
        String wrapped = TOKENS.wrap("the-providers-refresh-token", "u-ada");
        assertFalse(wrapped.contains("the-providers-refresh-token") || wrapped.contains("u-ada"), wrapped);
        RefreshTokens.Opened opened = TOKENS.open(wrapped).orElseThrow();
        assertEquals("the-providers-refresh-token", opened.providerToken());
        assertEquals("u-ada", opened.subject());
    }

    @Test
    void tokensItDidNotSealAreRefused() {
        String wrapped = TOKENS.wrap("rt", "u-ada");
        RefreshTokens other = new RefreshTokens("another-secret-of-at-least-thirty-two-bytes!".getBytes(StandardCharsets.UTF_8));
        assertTrue(other.open(wrapped).isEmpty(), "another secret's");
        assertTrue(TOKENS.open("the-providers-own-token").isEmpty());
        assertTrue(TOKENS.open(wrapped.substring(0, wrapped.length() - 4) + "AAAA").isEmpty(), "tampered");
        assertTrue(TOKENS.open("eyJhbGciOiJub25lIn0.e30.").isEmpty(), "unsigned");
        assertTrue(TOKENS.open(null).isEmpty());
    }
}
