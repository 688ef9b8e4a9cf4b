package dev.claudeproxy.provider;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs the thinking blocks this gateway makes out of upstream reasoning, and recognises them when
 * a client sends them back: {@code cpx1.} + base64url(HMAC-SHA256(secret, upstream + '\n' +
 * thinking)). Only a gateway holding the same secret can make or check one, so the reasoning
 * travels with the conversation and a cluster of gateways sharing the secret behaves as one, with
 * nothing kept in memory. A block that does not verify (another gateway's, Anthropic's own,
 * edited text, another upstream's) is simply not replayed. Thread-safe.
 */
public final class ThinkingSigner {

    private static final String PREFIX = "cpx1.";
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public ThinkingSigner(byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("a thinking signature secret needs at least 16 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
    }

    /** @param upstream the upstream's authority (host and port) the reasoning came from */
    public String sign(String upstream, String thinking) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(upstream, thinking));
    }

    /**
     * Signs a thinking text that arrives in pieces (a stream) without holding it: equal to
     * {@code sign(upstream, pieces joined)}. Single use, not thread-safe.
     */
    public Incremental incremental(String upstream) {
        return new Incremental(upstream);
    }

    /** An incremental {@link #sign}. */
    public final class Incremental {
        private final Mac mac;
        /** A high surrogate that ended the last piece: encoded with the low one that must follow. */
        private char pendingHigh;

        private Incremental(String upstream) {
            mac = newMac();
            mac.update(upstream.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '\n');
        }

        public void add(String piece) {
            String text = pendingHigh == 0 ? piece : pendingHigh + piece;
            pendingHigh = 0;
            if (!text.isEmpty() && Character.isHighSurrogate(text.charAt(text.length() - 1))) {
                pendingHigh = text.charAt(text.length() - 1);
                text = text.substring(0, text.length() - 1);
            }
            mac.update(text.getBytes(StandardCharsets.UTF_8));
        }

        public String signature() {
            if (pendingHigh != 0) {
                mac.update(String.valueOf(pendingHigh).getBytes(StandardCharsets.UTF_8));
                pendingHigh = 0;
            }
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
        }
    }

    /** Whether {@code signature} was made by this secret for exactly this upstream and text. */
    public boolean verify(String upstream, String thinking, String signature) {
        if (signature == null || !signature.startsWith(PREFIX)) {
            return false;
        }
        byte[] claimed;
        try {
            claimed = Base64.getUrlDecoder().decode(signature.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(claimed, mac(upstream, thinking));
    }

    private byte[] mac(String upstream, String thinking) {
        Mac mac = newMac();
        mac.update(upstream.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) '\n');
        return mac.doFinal(thinking.getBytes(StandardCharsets.UTF_8));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
