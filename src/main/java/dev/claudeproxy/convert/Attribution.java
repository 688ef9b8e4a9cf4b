package dev.claudeproxy.convert;

import static dev.claudeproxy.json.Json.JSON_P;

import dev.claudeproxy.anthropic.MessagesRequest;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Whom a request is for, as far as the gateway knows it: the client's session (Claude Code's
 * {@code x-claude-code-session-id}, else the {@code session_id} in its {@code metadata.user_id})
 * and its user (the one the gateway authenticated, else the {@code device_id} there). Upstreams
 * that take them (OpenAI, Azure) get only stable hashes: {@code prompt_cache_key} keeps a long
 * session's requests on warm prompt caches, {@code safety_identifier} tells the provider's abuse
 * checks one user from another; neither reveals who.
 */
public record Attribution(Optional<String> session, Optional<String> user) {

    private static final Logger LOG = Logger.getLogger(Attribution.class.getName());

    public static final Attribution NONE = new Attribution(Optional.empty(), Optional.empty());

    /** Fills what the gateway does not know from what the request's {@code metadata.user_id} says, when it is Claude Code's JSON. */
    public Attribution orFrom(MessagesRequest request) {
        if (session.isPresent() && user.isPresent() || request.metadataUserId().isEmpty()) {
            return this;
        }
        Optional<JsonObject> metadata = metadataJson(request.metadataUserId().get());
        return new Attribution(session.or(() -> metadata.flatMap(json -> field(json, "session_id"))),
                user.or(() -> metadata.flatMap(json -> field(json, "device_id"))));
    }

    /** A hash of the session, for {@code prompt_cache_key}. */
    public Optional<String> promptCacheKey() {
        return session.map(id -> hash("session", id));
    }

    /** A hash of the user, for {@code safety_identifier}. */
    public Optional<String> safetyIdentifier() {
        return user.map(id -> hash("user", id));
    }

    /** 32 hex digits (128 bits) of SHA-256, under a label of what is hashed: stable across nodes and restarts. */
    private static String hash(String label, String value) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(("claude-proxy " + label + " ").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha256.digest(value.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static Optional<JsonObject> metadataJson(String userId) {
        if (!userId.startsWith("{") || userId.length() > 4096) {
            return Optional.empty();
        }
        try (JsonReader reader = JSON_P.createReader(new StringReader(userId))) {
            return reader.readValue() instanceof JsonObject object ? Optional.of(object) : Optional.empty();
        } catch (RuntimeException notJson) {
            LOG.fine("metadata.user_id starts like JSON but is none; no session or device read from it");
            return Optional.empty();
        }
    }

    private static Optional<String> field(JsonObject json, String name) {
        return json.get(name) instanceof JsonString value && !value.getString().isBlank()
                ? Optional.of(value.getString()) : Optional.empty();
    }
}
