package dev.claudeproxy.convert;

import java.util.ArrayList;
import java.util.List;

/**
 * Separates a {@code <think>...</think>} section at the very start of streamed content (how
 * DeepSeek-R1 distills, QwQ and other local reasoning models emit their reasoning) from the text
 * after it, when the tags may be split across chunks. Content that does not start with
 * {@code <think>} passes through untouched. Single use, not thread-safe.
 */
final class ThinkTagSplitter {

    private static final String OPEN = "<think>";
    private static final String CLOSE = "</think>";

    /** A piece of content: reasoning, or visible text. */
    record Segment(boolean thinking, String text) {
    }

    private enum State { UNDECIDED, THINKING, TEXT }

    private State state = State.UNDECIDED;
    private final StringBuilder held = new StringBuilder();

    List<Segment> feed(String content) {
        List<Segment> out = new ArrayList<>(2);
        switch (state) {
            case TEXT -> add(out, false, content);
            case UNDECIDED -> {
                held.append(content);
                String start = held.toString().stripLeading();
                if (start.startsWith(OPEN)) {
                    state = State.THINKING;
                    held.setLength(0);
                    thinking(start.substring(OPEN.length()), out);
                } else if (!OPEN.startsWith(start)) {
                    state = State.TEXT;
                    add(out, false, held.toString());
                    held.setLength(0);
                }
            }
            case THINKING -> thinking(content, out);
        }
        return out;
    }

    /** What is still held back when the content ends. */
    List<Segment> finish() {
        List<Segment> out = new ArrayList<>(1);
        add(out, state == State.THINKING, held.toString());
        held.setLength(0);
        return out;
    }

    private void thinking(String content, List<Segment> out) {
        held.append(content);
        String text = held.toString();
        int close = text.indexOf(CLOSE);
        if (close >= 0) {
            state = State.TEXT;
            held.setLength(0);
            add(out, true, text.substring(0, close));
            add(out, false, text.substring(close + CLOSE.length()).stripLeading());
            return;
        }
        // Hold back a tail that may be the start of "</think>".
        int keep = 0;
        for (int length = Math.min(CLOSE.length() - 1, text.length()); length > 0; length--) {
            if (text.endsWith(CLOSE.substring(0, length))) {
                keep = length;
                break;
            }
        }
        add(out, true, text.substring(0, text.length() - keep));
        held.setLength(0);
        held.append(text, text.length() - keep, text.length());
    }

    private static void add(List<Segment> out, boolean thinking, String text) {
        if (!text.isEmpty()) {
            out.add(new Segment(thinking, text));
        }
    }
}
