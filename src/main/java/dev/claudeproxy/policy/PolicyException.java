package dev.claudeproxy.policy;

/** A policy file that cannot be taken, naming its line. */
public final class PolicyException extends Exception {
    public PolicyException(String source, int line, String problem) {
        super(source + (line > 0 ? ", line " + line : "") + ": " + problem);
    }
}
