package dev.claudeproxy.openai;

import jakarta.json.bind.adapter.JsonbAdapter;
import java.util.Locale;

/** The author of a Chat Completions message, written in lower case on the wire. */
public enum ChatRole {
    SYSTEM, USER, ASSISTANT, TOOL;

    /** Writes a role as the wire spells it. */
    public static final class Wire implements JsonbAdapter<ChatRole, String> {

        @Override
        public String adaptToJson(ChatRole role) {
            return role.name().toLowerCase(Locale.ROOT);
        }

        @Override
        public ChatRole adaptFromJson(String wire) {
            return ChatRole.valueOf(wire.toUpperCase(Locale.ROOT));
        }
    }
}
