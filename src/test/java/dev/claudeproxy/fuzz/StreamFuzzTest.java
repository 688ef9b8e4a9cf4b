package dev.claudeproxy.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.claudeproxy.convert.StopSequences;
import dev.claudeproxy.SseTranscript;
import dev.claudeproxy.anthropic.ContentBlock;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.convert.StreamConverter;
import dev.claudeproxy.provider.Target;
import dev.claudeproxy.provider.ThinkingSigner;
import dev.claudeproxy.convert.UpstreamChunks;
import dev.claudeproxy.convert.UsageEstimate;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.sse.EventTooLargeException;
import dev.claudeproxy.sse.SseParser;
import jakarta.json.JsonException;
import dev.claudeproxy.openai.ReadersAgree;
import java.nio.ByteBuffer;
import jakarta.json.JsonReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Any bytes an upstream streams back become, through the gateway's reader and converter, an event
 * sequence every strict client accepts, keeping every promise {@code StreamConverter} makes:
 * {@code message_start} first; blocks opened in index order, each closed before the next opens,
 * deltas only to the open block and of its kind; no empty text block; tool input a JSON prefix
 * after every fragment and one whole object at its block's stop (unless the answer was cut by its
 * token limit); each thinking block closed by its {@code signature_delta}; and an end of
 * {@code message_delta} + {@code message_stop}, or an {@code error} event. Seeds: the recorded-shape
 * fixtures. {@code ./mvnw verify} fuzzes it for {@code fuzz.duration} (30 s); other runs replay the seeds.
 */
class StreamFuzzTest {

    private static final ThinkingSigner SIGNATURES = new ThinkingSigner(
            "fuzzing-secret-0123456789".getBytes(StandardCharsets.UTF_8));
    private static final MessagesRequest REQUEST = MessagesRequestReader.read(("{\"model\":\"claude-sonnet-4-5\","
            + "\"max_tokens\":100,\"stream\":true,\"stop_sequences\":[\"END\"],"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8));

    @FuzzTest(maxDuration = "30s")
    void anyUpstreamStreamBecomesAWellFormedEventSequence(byte[] upstreamBytes) throws IOException {
        for (Profile profile : new Profile[] {Profile.GENERIC, Profile.GEMINI, Profile.DEEPSEEK}) {
            check(convert(upstreamBytes, profile));
        }
        readersAgree(upstreamBytes);
    }

    /**
     * The streaming chunk reader ({@link ChatCompletionReader}) reads every event's data as JSON-B's
     * binding, the reader before it, read it: the same record, or a refusal ({@link ReadersAgree}).
     */
    private static void readersAgree(byte[] upstreamBytes) throws IOException {
        List<String> data = new ArrayList<>();
        SseParser parser = new SseParser(SseParser.DEFAULT_MAX_EVENT_BYTES);
        try {
            parser.feed(ByteBuffer.wrap(upstreamBytes), event -> data.add(event.data()));
            parser.finish(event -> data.add(event.data()));
        } catch (EventTooLargeException tooLarge) {
            // the events before it are checked
        }
        for (String text : data) {
            ReadersAgree.check(text);
        }
    }

    private static List<StreamEvent> convert(byte[] upstreamBytes, Profile profile) throws IOException {
        return convert(upstreamBytes, profile, Dialect.CHAT_COMPLETIONS);
    }

    static List<StreamEvent> convert(byte[] upstreamBytes, Profile profile, Dialect dialect) throws IOException {
        Target target = new Target("fuzz-model", "upstream.example:443", profile, 4096, SIGNATURES, true, dialect);
        StreamConverter converter = new StreamConverter(REQUEST.model(), StopSequences.of(REQUEST.stopSequences(), target), target,
                new UsageEstimate(REQUEST, "fuzz-model"), SseParser.DEFAULT_MAX_EVENT_BYTES);
        List<StreamEvent> events = new ArrayList<>(converter.start());
        UpstreamChunks.convertAll(upstreamBytes, converter, dialect, SseParser.DEFAULT_MAX_EVENT_BYTES, events::addAll);
        for (StreamEvent event : events) {
            Json.write(event); // every event serialises
        }
        return events;
    }

    static void check(List<StreamEvent> events) {
        require(!events.isEmpty() && events.get(0) instanceof StreamEvent.MessageStart, "message_start first", events);
        StreamEvent last = events.get(events.size() - 1);
        // An error event ends the stream where it stands, and clients stop reading there: the
        // blocks before it must still be well formed, but the one it interrupts need not be whole.
        boolean failed = last instanceof StreamEvent.ErrorEvent;
        int end = events.size() - 1;
        if (!failed) {
            require(last instanceof StreamEvent.MessageStop, "message_stop last", events);
            require(events.get(events.size() - 2) instanceof StreamEvent.MessageDelta, "message_delta before it", events);
            end = events.size() - 2;
        }
        boolean cutByLength = !failed && "max_tokens".equals(((StreamEvent.MessageDelta) events.get(end)).delta().stopReason());
        Block open = null;
        int next = 0;
        for (StreamEvent event : events.subList(1, end)) {
            if (event instanceof StreamEvent.ContentBlockStart start) {
                require(open == null && start.index() == next, "blocks open in order, one at a time", events);
                open = new Block(start);
                next++;
            } else if (event instanceof StreamEvent.ContentBlockDelta delta) {
                require(open != null && delta.index() == open.index, "deltas go to the open block", events);
                open.add(delta.delta(), events);
            } else if (event instanceof StreamEvent.ContentBlockStop stop) {
                require(open != null && stop.index() == open.index, "the open block closes", events);
                open.close(cutByLength, events);
                open = null;
            } else {
                require(event instanceof StreamEvent.Ping, "only block events between start and end", events);
            }
        }
        require(failed || open == null, "every block is closed", events);
    }

    /** One block's promises: its deltas of its own kind; tool input a JSON prefix throughout and whole at its stop; thinking signed last. */
    private static final class Block {
        private final int index;
        private final ContentBlock started;
        private final StringBuilder text = new StringBuilder();
        private int deltas;
        private boolean signed;

        Block(StreamEvent.ContentBlockStart start) {
            this.index = start.index();
            this.started = start.contentBlock();
        }

        void add(StreamEvent.Delta delta, List<StreamEvent> events) {
            require(!signed, "nothing follows a thinking block's signature_delta", events);
            deltas++;
            if (started instanceof ContentBlock.TextBlock) {
                require(delta instanceof StreamEvent.TextDelta || delta instanceof StreamEvent.CitationsDelta,
                        "a text block takes text_delta and citations_delta", events);
                if (delta instanceof StreamEvent.TextDelta textDelta) {
                    text.append(textDelta.text());
                }
            } else if (started instanceof ContentBlock.ToolUseBlock) {
                require(delta instanceof StreamEvent.InputJsonDelta, "a tool_use block takes input_json_delta", events);
                text.append(((StreamEvent.InputJsonDelta) delta).partialJson());
                require(SseTranscript.isJsonPrefix(text.toString()), "tool input is a JSON prefix after every fragment", events);
            } else if (started instanceof ContentBlock.ThinkingBlock) {
                require(delta instanceof StreamEvent.ThinkingDelta || delta instanceof StreamEvent.SignatureDelta,
                        "a thinking block takes thinking_delta and signature_delta", events);
                signed = delta instanceof StreamEvent.SignatureDelta;
            } else if (started instanceof ContentBlock.ServerToolUseBlock) {
                require(delta instanceof StreamEvent.InputJsonDelta, "a server_tool_use block takes input_json_delta", events);
                text.append(((StreamEvent.InputJsonDelta) delta).partialJson());
            } else {
                require(false, "only text, tool_use, thinking and web search blocks take deltas", events);
            }
        }

        void close(boolean cutByLength, List<StreamEvent> events) {
            if (started instanceof ContentBlock.TextBlock) {
                require(text.length() > 0, "no empty text block", events);
            } else if (started instanceof ContentBlock.ToolUseBlock toolUse) {
                require(toolUse.id().startsWith("toolu_") && !toolUse.name().isEmpty(), "a tool_use block has an id and a name", events);
                require(deltas > 0, "a tool_use block carries its input", events);
                require(cutByLength || isJsonObject(text.toString()), "tool input is one whole object at its stop", events);
            } else if (started instanceof ContentBlock.ThinkingBlock) {
                require(signed, "a thinking block closes with its signature_delta", events);
            } else if (started instanceof ContentBlock.ServerToolUseBlock serverToolUse) {
                require(serverToolUse.id().startsWith("srvtoolu_") && isJsonObject(text.toString()),
                        "a server_tool_use block has an id and one whole input", events);
            } else if (started instanceof ContentBlock.WebSearchToolResultBlock) {
                require(deltas == 0, "a web_search_tool_result block comes whole", events);
            }
        }

        private static boolean isJsonObject(String text) {
            try (JsonReader reader = jakarta.json.Json.createReader(new StringReader(text))) {
                reader.readObject();
                return true;
            } catch (JsonException | IllegalStateException e) {
                return false;
            }
        }
    }

    private static void require(boolean holds, String rule, List<StreamEvent> events) {
        if (!holds) {
            throw new AssertionError(rule + ": " + events);
        }
    }
}
