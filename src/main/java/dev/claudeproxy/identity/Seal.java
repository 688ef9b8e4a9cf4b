package dev.claudeproxy.identity;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the gateway hands out or stores and only it may read: claims encrypted (JWE, direct
 * AES-256-GCM) with a key drawn from the session secret for one purpose, and keyed hashes of codes
 * for names. Every node with the same secret opens what another sealed.
 */
public final class Seal {

    private final byte[] namingKey;
    private final DirectEncrypter encrypter;
    private final DirectDecrypter decrypter;

    /**
     * @param secret the session secret, the same on every node
     * @param purpose what is sealed with it: each purpose has keys of its own
     */
    public Seal(byte[] secret, String purpose) {
        this.namingKey = hmac(secret, "claude-proxy " + purpose + ": names");
        try {
            byte[] sealingKey = hmac(secret, "claude-proxy " + purpose + ": sealing");
            this.encrypter = new DirectEncrypter(sealingKey);
            this.decrypter = new DirectDecrypter(sealingKey);
        } catch (JOSEException e) {
            throw new IllegalStateException("a 256-bit key is what AES-256-GCM takes", e);
        }
    }

    /** The claims, encrypted. */
    public String close(JWTClaimsSet claims) {
        EncryptedJWT sealed = new EncryptedJWT(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM), claims);
        try {
            sealed.encrypt(encrypter);
        } catch (JOSEException e) {
            throw new IllegalStateException("AES-256-GCM is in every Java", e);
        }
        return sealed.serialize();
    }

    /** The claims sealed text holds; empty for text this seal did not close (forged, or another secret's). */
    public Optional<JWTClaimsSet> open(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            EncryptedJWT sealed = EncryptedJWT.parse(text);
            if (!JWEAlgorithm.DIR.equals(sealed.getHeader().getAlgorithm())) {
                return Optional.empty();
            }
            sealed.decrypt(decrypter);
            return Optional.of(sealed.getJWTClaimsSet());
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return Optional.empty();
        }
    }

    /** A name for a code that does not reveal it: its keyed hash. */
    public String name(String code) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(namingKey, code));
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java has HMAC-SHA256", e);
        }
    }
}
