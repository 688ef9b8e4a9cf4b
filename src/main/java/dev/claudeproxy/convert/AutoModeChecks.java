package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.ContentBlock.TextBlock;
import dev.claudeproxy.anthropic.MessagesRequest;
import java.util.List;

/**
 * Recognises Claude Code's auto-mode safety checks by their shape. With
 * {@code CLAUDE_CODE_AUTO_MODE_SERVER=0} Claude Code judges each risky action itself: a
 * non-streaming request, no tools, no thinking (turned off for a Claude model, left out for
 * another), to {@code claude-sonnet-5} unless {@code CLAUDE_CODE_AUTO_MODE_MODEL} names another;
 * its first stage stops at {@code </severity>} (Claude models) or {@code </block>} (others), its
 * second has no stop sequence and the same system prompt, which opens with the words below
 * (Claude Code 2.1.331). They can go to a route of their own, fast, with a first-byte deadline of
 * their own.
 */
public final class AutoModeChecks {

    /** The opening of the classifier's system prompt. */
    static final String MONITOR = "You are a security monitor for autonomous AI coding agents";
    private static final List<List<String>> STAGE_ONE_STOPS = List.of(List.of("</severity>"), List.of("</block>"));

    private AutoModeChecks() {
    }

    public static boolean isOne(MessagesRequest request) {
        if (request.stream() || !request.tools().isEmpty()
                || !request.thinking().map(thinking -> thinking.type().equals("disabled")).orElse(true)) {
            return false;
        }
        return STAGE_ONE_STOPS.contains(request.stopSequences()) || opensWithTheMonitor(request.system());
    }

    /** The first system text that is not Claude Code's attribution block opens with the monitor's words. */
    private static boolean opensWithTheMonitor(List<TextBlock> system) {
        for (TextBlock block : system) {
            if (!block.text().startsWith(RequestConverter.BILLING_HEADER_PREFIX)) {
                return block.text().stripLeading().startsWith(MONITOR);
            }
        }
        return false;
    }
}
