package dev.claudeproxy.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.convert.Profile;
import dev.claudeproxy.convert.StreamConverter;
import dev.claudeproxy.convert.Target;
import dev.claudeproxy.convert.ThinkingSignatures;
import dev.claudeproxy.convert.UpstreamChunks;
import dev.claudeproxy.convert.UsageEstimate;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.sse.SseParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Any bytes an upstream streams back become, through the gateway's reader and converter, an event
 * sequence every strict client accepts: {@code message_start} first; blocks opened in index order,
 * each closed before the next opens, deltas only to the open block; and an end of
 * {@code message_delta} + {@code message_stop}, or an {@code error} event. Seeds: the recorded-shape
 * fixtures. {@code ./mvnw verify} fuzzes it for {@code fuzz.duration} (30 s); other runs replay the seeds.
 */
class StreamFuzzTest {

    private static final ThinkingSignatures SIGNATURES = new ThinkingSignatures(
            "fuzzing-secret-0123456789".getBytes(StandardCharsets.UTF_8));
    private static final MessagesRequest REQUEST = MessagesRequestReader.read(("{\"model\":\"claude-sonnet-4-5\","
            + "\"max_tokens\":100,\"stream\":true,\"stop_sequences\":[\"END\"],"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8));

    @FuzzTest(maxDuration = "30s")
    void anyUpstreamStreamBecomesAWellFormedEventSequence(byte[] upstreamBytes) throws IOException {
        for (Profile profile : new Profile[] {Profile.GENERIC, Profile.GEMINI, Profile.DEEPSEEK}) {
            check(convert(upstreamBytes, profile));
        }
    }

    private static List<StreamEvent> convert(byte[] upstreamBytes, Profile profile) throws IOException {
        Target target = new Target("fuzz-model", "upstream.example:443", profile, 4096, SIGNATURES);
        StreamConverter converter = new StreamConverter(REQUEST.model(), REQUEST.stopSequences(), target,
                new UsageEstimate(REQUEST, "fuzz-model"), SseParser.DEFAULT_MAX_EVENT_BYTES);
        List<StreamEvent> events = new ArrayList<>(converter.start());
        UpstreamChunks.convertAll(upstreamBytes, converter, SseParser.DEFAULT_MAX_EVENT_BYTES, events::addAll);
        for (StreamEvent event : events) {
            Json.write(event); // every event serialises
        }
        return events;
    }

    private static void check(List<StreamEvent> events) {
        require(!events.isEmpty() && events.get(0) instanceof StreamEvent.MessageStart, "message_start first", events);
        StreamEvent last = events.get(events.size() - 1);
        if (last instanceof StreamEvent.ErrorEvent) {
            return; // an error event ends the stream where it stands; clients stop reading there
        }
        require(last instanceof StreamEvent.MessageStop, "message_stop last", events);
        require(events.get(events.size() - 2) instanceof StreamEvent.MessageDelta, "message_delta before it", events);
        int open = -1;
        int next = 0;
        for (StreamEvent event : events.subList(1, events.size() - 2)) {
            if (event instanceof StreamEvent.ContentBlockStart start) {
                require(open == -1 && start.index() == next, "blocks open in order, one at a time", events);
                open = start.index();
                next++;
            } else if (event instanceof StreamEvent.ContentBlockDelta delta) {
                require(delta.index() == open, "deltas go to the open block", events);
            } else if (event instanceof StreamEvent.ContentBlockStop stop) {
                require(stop.index() == open, "the open block closes", events);
                open = -1;
            } else {
                require(event instanceof StreamEvent.Ping, "only block events between start and end", events);
            }
        }
        require(open == -1, "every block is closed", events);
    }

    private static void require(boolean holds, String rule, List<StreamEvent> events) {
        if (!holds) {
            throw new AssertionError(rule + ": " + events);
        }
    }
}
