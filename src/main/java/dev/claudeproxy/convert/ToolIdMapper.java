package dev.claudeproxy.convert;

import dev.claudeproxy.provider.Profile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * Rewrites conversation tool ids into the form an upstream accepts, deterministically, so a call's
 * id and its result's {@code tool_call_id} always map alike and nothing needs remembering.
 */
final class ToolIdMapper {

    private static final Pattern OPENAI_ID = Pattern.compile("[A-Za-z0-9_-]{1,40}");

    private ToolIdMapper() {
    }

    static String map(String id, Profile.ToolIds rule) {
        return switch (rule) {
            case KEEP -> id;
            case MAX_40 -> OPENAI_ID.matcher(id).matches() ? id : "call_" + base62(id, 24);
            case NINE_ALPHANUMERIC -> base62(id, 9);
        };
    }

    private static String base62(String id, int length) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = Ids.BASE62[(digest[i] & 0xff) % Ids.BASE62.length];
        }
        return new String(chars);
    }
}
