package dev.claudeproxy.convert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import dev.claudeproxy.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Follows a JSON text as it streams in: whether what came so far can still begin one JSON object
 * ({@link #valid()}), and whether it is one, whole ({@link #complete()}). Clients check tool input
 * as it streams (the Python SDK parses every prefix), so a fragment that would make it invalid
 * must be caught before it is forwarded. Jackson's non-blocking parser does the checking, to the
 * full JSON grammar, keeping only the token in progress. Single use, not thread-safe.
 */
final class JsonPrefix {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Json.MAX_NESTING).build())
            .build();

    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private boolean started;
    private boolean invalid;
    private boolean complete;
    /** Bytes fed so far. */
    private long fed;

    JsonPrefix() {
        try {
            parser = FACTORY.createNonBlockingByteArrayParser();
        } catch (IOException e) {
            throw new IllegalStateException("Jackson's non-blocking parser is unavailable", e);
        }
        feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    }

    void feed(String text) {
        if (invalid || text.isEmpty()) {
            return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (complete) {
            invalid = !whitespace(bytes, 0);
            return;
        }
        long before = fed;
        fed += bytes.length;
        try {
            feeder.feedInput(bytes, 0, bytes.length);
            for (JsonToken token = parser.nextToken(); token != JsonToken.NOT_AVAILABLE; token = parser.nextToken()) {
                if (token == null) {
                    break;
                }
                if (!started && token != JsonToken.START_OBJECT) {
                    invalid = true; // a first value that is not an object
                    return;
                }
                started = true;
                if (token == JsonToken.END_OBJECT && parser.getParsingContext().inRoot()) {
                    // The object is whole: only whitespace may follow. Checked here, byte by byte, because
                    // the parser holds back a token it cannot yet see the end of (a number, "}3").
                    complete = true;
                    long end = parser.currentTokenLocation().getByteOffset() + 1;
                    invalid = !whitespace(bytes, (int) (end - before));
                    return;
                }
            }
        } catch (IOException e) {
            invalid = true;
        }
    }

    /** Whether {@code bytes} from {@code from} on are JSON whitespace only. */
    private static boolean whitespace(byte[] bytes, int from) {
        for (int i = Math.max(0, from); i < bytes.length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\n' && bytes[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Whether the text so far can still begin a JSON object. */
    boolean valid() {
        return !invalid;
    }

    /** Whether the text so far is one whole JSON object (and whitespace). */
    boolean complete() {
        return complete && !invalid;
    }
}
