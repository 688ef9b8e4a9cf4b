package dev.claudeproxy.servlet;

import java.util.List;

/**
 * What is known of one API request as it goes, for its log line and its metrics. Never holds a
 * key or prompt text. Written by one thread at a time: the container's while the body arrives,
 * then the worker's (handed over through the executor).
 */
final class Trace {

    /** Whitespace and control characters: what a logged value may not hold. */
    private static final java.util.regex.Pattern UNSAFE = java.util.regex.Pattern.compile("[\\p{Cntrl}\\s]+");

    final String requestId;
    final long startNanos = System.nanoTime();
    String endpoint = "-";
    /** The authenticated principal, the SSO header's user, or the identity token's. */
    String user = "-";
    /** The user's groups, as the identity token names them (not logged). */
    List<String> groups = List.of();
    /** The client's session ({@code x-claude-code-session-id}, else the session in {@code metadata.user_id}). */
    String session = "-";
    /** The Claude Code agent that sent it ({@code x-claude-code-agent-id}), and the agent that started that one. */
    String agent = "-";
    String parentAgent = "-";
    /** path, haiku, sonnet, opus, default, or none (not routed). */
    String routeKind = "none";
    String upstream = "-";
    /** The upstream's host alone, as the policy's model globs and prices name it. */
    String upstreamHost = "-";
    String model = "-";
    boolean stream;
    /** One of Claude Code's auto-mode safety checks. */
    boolean autoModeCheck;
    long firstByteNanos = -1;
    int inputTokens;
    /** Input tokens read from the upstream's prompt cache (Anthropic's {@code cache_read_input_tokens}). */
    int cachedTokens;
    int outputTokens;
    /** What the policy allows this caller, once resolved ({@link Accounting#admit}); everything until then. */
    dev.claudeproxy.policy.Limits limits = Accounting.UNLIMITED;
    /** Whether the exchange holds a place of the caller's rate limits, to give back when it ends. */
    boolean ratePlaceTaken;
    /** What the exchange cost, in millionths of the policy's currency, once recorded. */
    long cost;
    String errorType;
    /** Whether its exchange has been counted as ended: the paths that end one are several, the count one. */
    final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

    Trace(String requestId) {
        this.requestId = requestId;
    }

    /** Marks the first byte of the answer, once. */
    void firstByte() {
        if (firstByteNanos < 0) {
            firstByteNanos = System.nanoTime() - startNanos;
        }
    }

    long durationNanos() {
        return System.nanoTime() - startNanos;
    }

    /**
     * A value as it may stand in a log line: whitespace and control characters become '_', so no
     * value a client chose can end the line or forge a field; capped at 128 characters.
     */
    static String clean(String value) {
        String flat = safe(value) ? value : UNSAFE.matcher(value).replaceAll("_");
        return flat.length() > 128 ? flat.substring(0, 128) : flat;
    }

    /** Whether no character of {@code value} is one {@code UNSAFE} replaces: the usual case, told without a matcher. */
    private static boolean safe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '\u007f') {
                return false;
            }
        }
        return true;
    }

    String logLine(int status, long durationNanos) {
        return "request_id=" + requestId + " endpoint=" + endpoint + " user=" + clean(user) + " session=" + clean(session)
                + " agent=" + clean(agent) + (parentAgent.equals("-") ? "" : " parent_agent=" + clean(parentAgent))
                + " route=" + routeKind
                + " upstream=" + clean(upstream) + " model=" + clean(model)
                + (autoModeCheck ? " kind=auto_mode_check" : "") + " stream=" + stream + " status=" + status
                + " ttfb_ms=" + (firstByteNanos < 0 ? "-" : Long.toString(firstByteNanos / 1_000_000))
                + " ms=" + durationNanos / 1_000_000 + " input_tokens=" + inputTokens + " output_tokens=" + outputTokens
                + (errorType == null ? "" : " error=" + errorType);
    }
}
