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
 * edited text, another upstream's) is simply not replayed. A signature may also carry an
 * upstream's opaque reasoning state after a dot, covered by the HMAC. Thread-safe.
 */
public final class ThinkingSigner {

    private static final String PREFIX = "cpx1.";
    /** Between the HMAC (base64url: never a dot) and the state a signature carries. */
    private static final char CARRIED = '.';
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
        return sign(upstream, thinking, null);
    }

    /**
     * A signature that also carries the upstream's opaque reasoning state ({@code carried}: a
     * Responses API upstream's encrypted reasoning, which it wants back on the next turn):
     * {@code cpx1.} + the HMAC over upstream, thinking and the state, then {@code .} + the state.
     *
     * @param carried the state, or null for none: then the same as {@link #sign(String, String)}
     */
    public String sign(String upstream, String thinking, String carried) {
        return signature(mac(upstream, thinking, carried), carried);
    }

    /** The signature of an HMAC: the prefix, the HMAC, then the carried state, if any. */
    private static String signature(byte[] hmac, String carried) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac)
                + (carried == null ? "" : CARRIED + carried);
    }

    /** Ends {@code mac} with the carried state, if any: the HMAC over everything the signature covers. */
    private static byte[] finish(Mac mac, String carried) {
        if (carried != null) {
            mac.update((byte) 0);
            mac.update(carried.getBytes(StandardCharsets.UTF_8));
        }
        return mac.doFinal();
    }

    /** The opaque state a signature carries, if any; to be trusted only once {@link #verify} holds. */
    public static java.util.Optional<String> carried(String signature) {
        int at = signature == null || !signature.startsWith(PREFIX) ? -1 : signature.indexOf(CARRIED, PREFIX.length());
        return at < 0 ? java.util.Optional.empty() : java.util.Optional.of(signature.substring(at + 1));
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
            mac = started(upstream);
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
            return signature(null);
        }

        /** @param carried the opaque reasoning state the signature carries ({@link ThinkingSigner#sign(String, String, String)}), or null */
        public String signature(String carried) {
            if (pendingHigh != 0) {
                mac.update(String.valueOf(pendingHigh).getBytes(StandardCharsets.UTF_8));
                pendingHigh = 0;
            }
            return ThinkingSigner.signature(finish(mac, carried), carried);
        }
    }

    /** Whether {@code signature} was made by this secret for exactly this upstream and text. */
    public boolean verify(String upstream, String thinking, String signature) {
        if (signature == null || !signature.startsWith(PREFIX)) {
            return false;
        }
        String carried = carried(signature).orElse(null);
        String encoded = signature.substring(PREFIX.length(),
                carried == null ? signature.length() : signature.length() - carried.length() - 1);
        byte[] claimed;
        try {
            claimed = Base64.getUrlDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(claimed, mac(upstream, thinking, carried));
    }

    private byte[] mac(String upstream, String thinking, String carried) {
        Mac mac = started(upstream);
        mac.update(thinking.getBytes(StandardCharsets.UTF_8));
        return finish(mac, carried);
    }

    /** A MAC that has taken the upstream the thinking is bound to, and the line that ends it. */
    private Mac started(String upstream) {
        Mac mac = newMac();
        mac.update(upstream.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) '\n');
        return mac;
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
