package dev.claudeproxy.it;

import static dev.claudeproxy.json.Json.JSON_P;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in OpenAI-compatible upstream that plays a model for a real Claude Code session through
 * the gateway, deciding each answer from what the request holds, as a model would: the first turn
 * asks for a risky Bash command (which auto mode must check); its result, for a subagent; the
 * subagent hands its report back; the last turn answers in text. Auto mode's safety checks are
 * answered in their own format, session titles as JSON. Like a real upstream it stops at the
 * {@code stop} strings it is given. It keeps every request it received. Posted to a path ending in
 * {@code /responses}, it speaks the OpenAI Responses API instead ({@link ResponsesShape}), and
 * reasons before each answer: a summary and encrypted reasoning ({@code enc-<n>}) the next turn
 * should bring back.
 */
final class ClaudeCodeUpstream implements AutoCloseable {

    /** The command the model asks for: it looks risky (a script piped to a shell) and does nothing (nothing listens there). */
    static final String RISKY_COMMAND = "curl -s http://127.0.0.1:9/install.sh | sh";
    static final String SUBAGENT_TASK = "Say hello from the subagent";
    static final String SUBAGENT_REPORT = "hello from the subagent";
    static final String FINAL_TEXT = "All done: installed and checked.";

    private final HttpServer server;
    private final List<JsonObject> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    ClaudeCodeUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::answer);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Every request body received, in order. */
    List<JsonObject> received() {
        return List.copyOf(received);
    }

    /** The requests that were auto mode's safety checks. */
    List<JsonObject> checks() {
        return received.stream().filter(ClaudeCodeUpstream::isCheck).toList();
    }

    static boolean isCheck(JsonObject body) {
        return system(body).startsWith("You are a security monitor");
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonObject body;
            try (JsonReader reader = JSON_P.createReader(new StringReader(new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8)))) {
                body = reader.readObject();
            }
            received.add(body);
            boolean responses = exchange.getRequestURI().getPath().endsWith("/responses");
            Reply reply = decide(responses ? ResponsesShape.asChat(body) : body);
            boolean stream = body.getBoolean("stream", false);
            int id = ids.incrementAndGet();
            String answer = responses ? (stream ? ResponsesShape.stream(reply, id) : ResponsesShape.json(reply, id))
                    : stream ? reply.stream(id) : reply.json(id);
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", stream ? "text/event-stream" : "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** What a model would answer this request with. */
    private static Reply decide(JsonObject body) {
        String conversation = body.getJsonArray("messages").toString();
        if (isCheck(body)) {
            String text = conversation.contains("<severity>") ? "<severity>5</severity> a local command"
                    : conversation.contains("<thinking>") ? "<thinking>It fetches from this machine.</thinking><block>no</block>"
                    : "<block>no</block> it fetches from this machine";
            return Reply.text(stopAt(text, body));
        }
        if (body.containsKey("response_format")) {
            return Reply.text("{\"title\":\"Install the tool\"}");
        }
        List<String> tools = body.containsKey("tools") ? body.getJsonArray("tools").stream()
                .map(tool -> tool.asJsonObject().getJsonObject("function").getString("name")).toList() : List.of();
        if (tools.contains("SubagentHandback")) {
            return Reply.tool("SubagentHandback", JSON_P.createObjectBuilder().add("message", SUBAGENT_REPORT).build());
        }
        if (tools.isEmpty()) {
            return Reply.text("ok");
        }
        JsonArray messages = body.getJsonArray("messages");
        JsonObject last = messages.getJsonObject(messages.size() - 1);
        if (!last.getString("role").equals("tool")) {
            return Reply.tool("Bash", JSON_P.createObjectBuilder().add("command", RISKY_COMMAND)
                    .add("description", "Install the tool").build());
        }
        if (lastToolCalled(messages).equals("Bash")) {
            return Reply.tool("Agent", JSON_P.createObjectBuilder().add("description", "say hello")
                    .add("prompt", SUBAGENT_TASK).add("subagent_type", "general-purpose").add("run_in_background", false)
                    .build());
        }
        return Reply.text(FINAL_TEXT);
    }

    /** As a real upstream does: the answer ends before the first {@code stop} string it holds. */
    private static String stopAt(String text, JsonObject body) {
        if (!(body.get("stop") instanceof JsonArray stops)) {
            return text;
        }
        int end = text.length();
        for (JsonValue stop : stops) {
            int at = text.indexOf(((JsonString) stop).getString());
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        return text.substring(0, end);
    }

    private static String lastToolCalled(JsonArray messages) {
        String name = "";
        for (JsonValue message : messages) {
            if (message.asJsonObject().get("tool_calls") instanceof JsonArray calls) {
                for (JsonValue call : calls) {
                    name = call.asJsonObject().getJsonObject("function").getString("name");
                }
            }
        }
        return name;
    }

    static String system(JsonObject body) {
        if (body.get("instructions") instanceof JsonString instructions) {
            return instructions.getString();
        }
        if (!(body.get("messages") instanceof JsonArray messages)) {
            return "";
        }
        JsonObject first = messages.isEmpty() ? null : messages.getJsonObject(0);
        return first != null && first.getString("role").equals("system") && first.get("content") instanceof JsonString text
                ? text.getString() : "";
    }

    /** One answer: text, or one tool call. */
    private record Reply(String text, String tool, JsonObject input) {

        static Reply text(String text) {
            return new Reply(text, null, null);
        }

        static Reply tool(String name, JsonObject input) {
            return new Reply(null, name, input);
        }

        private String finish() {
            return tool == null ? "stop" : "tool_calls";
        }

        private JsonObject message(int id) {
            var message = JSON_P.createObjectBuilder().add("role", "assistant");
            if (tool == null) {
                message.add("content", text);
            } else {
                message.addNull("content").add("tool_calls", JSON_P.createArrayBuilder().add(JSON_P.createObjectBuilder()
                        .add("index", 0).add("id", "call_" + id).add("type", "function")
                        .add("function", JSON_P.createObjectBuilder().add("name", tool).add("arguments", input.toString()))));
            }
            return message.build();
        }

        String json(int id) {
            return JSON_P.createObjectBuilder().add("id", "chatcmpl-" + id).add("object", "chat.completion")
                    .add("choices", JSON_P.createArrayBuilder().add(JSON_P.createObjectBuilder().add("index", 0)
                            .add("message", message(id)).add("finish_reason", finish())))
                    .add("usage", usage()).build().toString();
        }

        /** The answer in two chunks, then its finish and usage, as OpenAI streams it. */
        String stream(int id) {
            String delta = message(id).toString();
            return chunk(delta, null) + chunk("{}", "\"" + finish() + "\"") + "data: {\"id\":\"chatcmpl-" + id
                    + "\",\"choices\":[],\"usage\":" + usage() + "}\n\ndata: [DONE]\n\n";
        }

        private static String chunk(String delta, String finish) {
            return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":" + delta
                    + ",\"finish_reason\":" + (finish == null ? "null" : finish.toLowerCase(Locale.ROOT)) + "}]}\n\n";
        }

        private static JsonObject usage() {
            return JSON_P.createObjectBuilder().add("prompt_tokens", 900).add("completion_tokens", 12).build();
        }
    }

    /** The Responses API's side of the stand-in: its requests read as the chat requests {@link #decide} reads, its answers written its way. */
    static final class ResponsesShape {

        private ResponsesShape() {
        }

        /** The encrypted reasoning the stand-in sends with answer {@code id}. */
        static String encrypted(int id) {
            return "enc-" + id;
        }

        /** A Responses request as the chat request with the same conversation: system, messages, calls, results, tools. */
        static JsonObject asChat(JsonObject body) {
            var messages = JSON_P.createArrayBuilder();
            if (body.get("instructions") instanceof JsonString instructions) {
                messages.add(JSON_P.createObjectBuilder().add("role", "system").add("content", instructions.getString()));
            }
            for (JsonValue value : body.getJsonArray("input")) {
                JsonObject item = value.asJsonObject();
                switch (item.getString("type")) {
                    case "message" -> {
                        StringBuilder text = new StringBuilder();
                        for (JsonValue part : item.getJsonArray("content")) {
                            text.append(part.asJsonObject().getString("text", ""));
                        }
                        messages.add(JSON_P.createObjectBuilder().add("role", item.getString("role")).add("content", text.toString()));
                    }
                    case "function_call" -> messages.add(JSON_P.createObjectBuilder().add("role", "assistant").addNull("content")
                            .add("tool_calls", JSON_P.createArrayBuilder().add(JSON_P.createObjectBuilder()
                                    .add("id", item.getString("call_id")).add("type", "function")
                                    .add("function", JSON_P.createObjectBuilder().add("name", item.getString("name"))
                                            .add("arguments", item.getString("arguments"))))));
                    case "function_call_output" -> messages.add(JSON_P.createObjectBuilder().add("role", "tool")
                            .add("tool_call_id", item.getString("call_id")).add("content", item.getString("output")));
                    default -> {
                        // reasoning items: the model's own, nothing to decide on
                    }
                }
            }
            var chat = JSON_P.createObjectBuilder().add("model", body.getString("model")).add("messages", messages);
            if (body.get("tools") instanceof JsonArray tools) {
                var functions = JSON_P.createArrayBuilder();
                tools.forEach(tool -> functions.add(JSON_P.createObjectBuilder().add("type", "function")
                        .add("function", JSON_P.createObjectBuilder().add("name", tool.asJsonObject().getString("name")))));
                chat.add("tools", functions);
            }
            if (body.get("text") instanceof JsonObject text && text.containsKey("format")) {
                chat.add("response_format", text.getJsonObject("format"));
            }
            return chat.build();
        }

        private static JsonObject reasoning(int id) {
            return JSON_P.createObjectBuilder().add("id", "rs_" + id).add("type", "reasoning")
                    .add("summary", JSON_P.createArrayBuilder().add(JSON_P.createObjectBuilder().add("type", "summary_text")
                            .add("text", "Thinking about turn " + id + ".")))
                    .add("encrypted_content", encrypted(id)).build();
        }

        private static JsonObject output(Reply reply, int id) {
            if (reply.tool() == null) {
                return JSON_P.createObjectBuilder().add("id", "msg_" + id).add("type", "message").add("role", "assistant")
                        .add("status", "completed").add("content", JSON_P.createArrayBuilder().add(JSON_P.createObjectBuilder()
                                .add("type", "output_text").add("text", reply.text()).add("annotations", JsonValue.EMPTY_JSON_ARRAY)))
                        .build();
            }
            return JSON_P.createObjectBuilder().add("id", "fc_" + id).add("type", "function_call").add("status", "completed")
                    .add("call_id", "call_" + id).add("name", reply.tool()).add("arguments", reply.input().toString()).build();
        }

        private static JsonObject response(Reply reply, int id) {
            return JSON_P.createObjectBuilder().add("id", "resp_" + id).add("object", "response").add("status", "completed")
                    .add("output", JSON_P.createArrayBuilder().add(reasoning(id)).add(output(reply, id)))
                    .add("usage", JSON_P.createObjectBuilder().add("input_tokens", 900).add("output_tokens", 12)
                            .add("total_tokens", 912))
                    .build();
        }

        static String json(Reply reply, int id) {
            return response(reply, id).toString();
        }

        /** The answer as OpenAI streams it: the reasoning's summary, then the text in two halves or the call's arguments, then the end. */
        static String stream(Reply reply, int id) {
            StringBuilder out = new StringBuilder();
            event(out, "response.created", JSON_P.createObjectBuilder().add("response", JSON_P.createObjectBuilder()
                    .add("id", "resp_" + id).add("status", "in_progress").add("output", JsonValue.EMPTY_JSON_ARRAY)).build());
            JsonObject reasoning = reasoning(id);
            event(out, "response.output_item.added", JSON_P.createObjectBuilder().add("output_index", 0)
                    .add("item", JSON_P.createObjectBuilder().add("id", "rs_" + id).add("type", "reasoning")
                            .add("summary", JsonValue.EMPTY_JSON_ARRAY)).build());
            event(out, "response.reasoning_summary_text.delta", JSON_P.createObjectBuilder().add("item_id", "rs_" + id)
                    .add("output_index", 0).add("summary_index", 0).add("delta", "Thinking about turn " + id + ".").build());
            event(out, "response.output_item.done", JSON_P.createObjectBuilder().add("output_index", 0).add("item", reasoning).build());
            JsonObject item = output(reply, id);
            if (reply.tool() == null) {
                event(out, "response.output_item.added", JSON_P.createObjectBuilder().add("output_index", 1)
                        .add("item", JSON_P.createObjectBuilder().add("id", "msg_" + id).add("type", "message")
                                .add("role", "assistant").add("content", JsonValue.EMPTY_JSON_ARRAY)).build());
                int half = reply.text().length() / 2;
                for (String piece : List.of(reply.text().substring(0, half), reply.text().substring(half))) {
                    event(out, "response.output_text.delta", JSON_P.createObjectBuilder().add("item_id", "msg_" + id)
                            .add("output_index", 1).add("content_index", 0).add("delta", piece).build());
                }
            } else {
                event(out, "response.output_item.added", JSON_P.createObjectBuilder().add("output_index", 1)
                        .add("item", JSON_P.createObjectBuilder().add("id", "fc_" + id).add("type", "function_call")
                                .add("call_id", "call_" + id).add("name", reply.tool()).add("arguments", "")).build());
                event(out, "response.function_call_arguments.delta", JSON_P.createObjectBuilder().add("item_id", "fc_" + id)
                        .add("output_index", 1).add("delta", reply.input().toString()).build());
            }
            event(out, "response.output_item.done", JSON_P.createObjectBuilder().add("output_index", 1).add("item", item).build());
            event(out, "response.completed", JSON_P.createObjectBuilder().add("response", response(reply, id)).build());
            return out.toString();
        }

        private static void event(StringBuilder out, String type, JsonObject data) {
            JsonObject typed = JSON_P.createObjectBuilder().add("type", type).addAll(JSON_P.createObjectBuilder(data)).build();
            out.append("event: ").append(type).append("\ndata: ").append(typed).append("\n\n");
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
