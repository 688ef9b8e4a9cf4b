package dev.claudeproxy.anthropic;

/** The Anthropic {@code stop_reason} values the gateway produces. */
public enum StopReason {
    END_TURN("end_turn"),
    MAX_TOKENS("max_tokens"),
    STOP_SEQUENCE("stop_sequence"),
    TOOL_USE("tool_use"),
    REFUSAL("refusal");

    private final String wireName;

    StopReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
