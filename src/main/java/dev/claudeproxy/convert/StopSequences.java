package dev.claudeproxy.convert;

import dev.claudeproxy.provider.Target;
import java.util.List;
import java.util.Optional;

/**
 * A request's {@code stop_sequences}, split between the upstream and the gateway. Chat
 * Completions takes at most four in {@code stop}, and OpenAI's reasoning models take none; the
 * gateway cuts the answer at the rest itself ({@link #cutter()}), reporting
 * {@code stop_reason: "stop_sequence"} with the sequence, as the Messages API does.
 *
 * @param requested every sequence the client asked for, to recognise the one an upstream says it stopped on
 * @param cutByGateway the sequences the upstream was not given (empty strings never match)
 */
public record StopSequences(List<String> requested, List<String> cutByGateway) {

    /** The most {@code stop} strings Chat Completions takes. */
    static final int MAX_SENT = 4;

    public static final StopSequences NONE = new StopSequences(List.of(), List.of());

    public StopSequences {
        requested = List.copyOf(requested);
        cutByGateway = cutByGateway.isEmpty() ? List.of() : cutByGateway.stream().filter(sequence -> !sequence.isEmpty()).toList();
    }

    /** How {@code requested} is split for {@code target}: the first four to an upstream that takes {@code stop}, the rest to the gateway. */
    public static StopSequences of(List<String> requested, Target target) {
        int sent = sentUpstream(requested, target).size();
        return new StopSequences(requested, requested.subList(sent, requested.size()));
    }

    /** The sequences sent upstream as {@code stop}: the first four, or none where the model takes none. */
    static List<String> sentUpstream(List<String> requested, Target target) {
        if (!target.takesStop()) {
            return List.of();
        }
        return requested.subList(0, Math.min(MAX_SENT, requested.size()));
    }

    /** A cutter for one answer's text, or none when the gateway has nothing to cut at. */
    public Optional<Cutter> cutter() {
        return cutByGateway.isEmpty() ? Optional.empty() : Optional.of(new Cutter(cutByGateway));
    }

    /** Where a whole text stops: its part before the first stop sequence, and the sequence; empty when none is in it. */
    Optional<Cut> cut(String text) {
        return cutter().flatMap(cutter -> {
            String before = cutter.feed(text);
            return cutter.matched().map(sequence -> new Cut(before, sequence));
        });
    }

    /** A text cut at a stop sequence. */
    record Cut(String before, String sequence) {
    }

    /**
     * Cuts streamed text at the first of its stop sequences, when they may be split across
     * chunks: it holds back a tail that may be the start of one. Single use, not thread-safe.
     */
    public static final class Cutter {

        private final List<String> sequences;
        private final StringBuilder held = new StringBuilder();
        private String matched;

        Cutter(List<String> sequences) {
            this.sequences = sequences;
        }

        /** The text that may be sent now; once a sequence is found, the text before it, then nothing more. */
        public String feed(String piece) {
            if (matched != null) {
                return "";
            }
            held.append(piece);
            int first = -1;
            for (String sequence : sequences) {
                int at = held.indexOf(sequence);
                if (at >= 0 && (first < 0 || at < first)) {
                    first = at;
                    matched = sequence;
                }
            }
            if (first >= 0) {
                String before = held.substring(0, first);
                held.setLength(0);
                return before;
            }
            String text = held.toString();
            int keep = 0;
            for (String sequence : sequences) {
                for (int length = Math.min(sequence.length() - 1, text.length()); length > keep; length--) {
                    if (text.regionMatches(text.length() - length, sequence, 0, length)) {
                        keep = length;
                        break;
                    }
                }
            }
            held.delete(0, text.length() - keep);
            return text.substring(0, text.length() - keep);
        }

        /** What is still held back when the text ends without a sequence. */
        public String finish() {
            String rest = held.toString();
            held.setLength(0);
            return rest;
        }

        /** The sequence the text stopped at, once found. */
        public Optional<String> matched() {
            return Optional.ofNullable(matched);
        }
    }
}
