package dev.claudeproxy.error;

/** Takes a credential out of a text meant for a client or a log, whole or in recognisable part. */
public final class Redaction {

    /** The shortest run of a credential's characters that still counts as the credential. */
    static final int WINDOW = 12;
    static final String MARK = "[redacted]";

    private Redaction() {
    }

    /**
     * {@code text} with every occurrence of {@code secret}, and of any {@value #WINDOW} consecutive
     * characters of it, replaced by {@value #MARK}.
     */
    public static String redact(String text, String secret) {
        if (secret == null || secret.isEmpty() || text == null) {
            return text;
        }
        String out = text.replace(secret, MARK);
        for (int start = 0; start + WINDOW <= secret.length(); start++) {
            String part = secret.substring(start, start + WINDOW);
            if (out.contains(part)) {
                out = out.replace(part, MARK);
            }
        }
        return out;
    }
}
