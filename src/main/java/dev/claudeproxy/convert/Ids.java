package dev.claudeproxy.convert;

import java.util.concurrent.ThreadLocalRandom;

/** Anthropic-style ids: {@code msg_} and {@code toolu_} followed by 24 base62 characters. */
public final class Ids {

    /** The base62 digits, for every id this package makes. */
    static final char[] BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private Ids() {
    }

    public static String messageId() {
        return "msg_" + random24();
    }

    /**
     * A fresh tool-use id. Upstream call ids are never reused: Gemini answers {@code call_0} on
     * every turn, and Anthropic clients expect ids unique within a conversation.
     */
    public static String toolUseId() {
        return "toolu_" + random24();
    }

    /** An id for a server tool's call ({@code srvtoolu_...}), as Anthropic's API gives its own. */
    public static String serverToolUseId() {
        return "srvtoolu_" + random24();
    }

    /** An id for one request, sent back in the {@code request-id} header and used in log lines. */
    public static String requestId() {
        return "req_" + random24();
    }

    private static String random24() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[24];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = BASE62[random.nextInt(BASE62.length)];
        }
        return new String(chars);
    }
}
