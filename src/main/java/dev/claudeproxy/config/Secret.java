package dev.claudeproxy.config;

import java.util.Objects;

/** A credential. Its {@code toString()} never shows the value; only {@link #reveal()} does, for the wire. */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a secret cannot be blank");
        }
        return new Secret(value.strip());
    }

    /** The value itself, for an outgoing header only; never log it. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "Secret[****]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && secret.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value);
    }
}
