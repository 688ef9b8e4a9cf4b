package dev.claudeproxy.identity;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the sign-ins under way are kept: this node's memory ({@link #inMemory}), or a store the
 * nodes share, so that Claude Code's poll, the code page and the provider's callback may each
 * reach any node. It holds opaque values (sealed by {@link DeviceGrants}) under opaque names, each
 * until its expiry, and changes a value only from the version it was read at: a code is taken
 * once, whichever node takes it.
 */
public interface GrantStore {

    /** A value as read, with the version a change must start from. */
    record Held(String value, long version) {
    }

    /** The store cannot be reached: the sign-in is refused for now, and may be tried again. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @return false when the name is taken */
    boolean add(String name, String value, Instant expires);

    /** The value under a name, while it has not expired. */
    Optional<Held> get(String name, Instant now);

    /** @return whether the value was still at {@code version}, and is now {@code value} */
    boolean replace(String name, long version, String value);

    /** @return whether the value was still at {@code version}, and is now gone: the one taker of a code */
    boolean remove(String name, long version);

    void remove(String name);

    /** How many names with this prefix have not expired. */
    int count(String prefix, Instant now);

    /** Forgets what has expired. */
    void purge(Instant now);

    /** A store in this node's memory: sign-ins under way hold on this node, and end with it. */
    static GrantStore inMemory() {
        return new GrantStore() {
            private record Entry(String value, long version, Instant expires) {
            }

            private final Map<String, Entry> entries = new ConcurrentHashMap<>();
            private final AtomicLong versions = new AtomicLong();

            @Override
            public boolean add(String name, String value, Instant expires) {
                return entries.putIfAbsent(name, new Entry(value, versions.incrementAndGet(), expires)) == null;
            }

            @Override
            public Optional<Held> get(String name, Instant now) {
                Entry entry = entries.get(name);
                return entry != null && now.isBefore(entry.expires())
                        ? Optional.of(new Held(entry.value(), entry.version())) : Optional.empty();
            }

            @Override
            public boolean replace(String name, long version, String value) {
                boolean[] replaced = {false};
                entries.computeIfPresent(name, (key, entry) -> {
                    if (entry.version() != version) {
                        return entry;
                    }
                    replaced[0] = true;
                    return new Entry(value, versions.incrementAndGet(), entry.expires());
                });
                return replaced[0];
            }

            @Override
            public boolean remove(String name, long version) {
                Entry entry = entries.get(name);
                return entry != null && entry.version() == version && entries.remove(name, entry);
            }

            @Override
            public void remove(String name) {
                entries.remove(name);
            }

            @Override
            public int count(String prefix, Instant now) {
                return (int) entries.entrySet().stream()
                        .filter(entry -> entry.getKey().startsWith(prefix) && now.isBefore(entry.getValue().expires()))
                        .count();
            }

            @Override
            public void purge(Instant now) {
                entries.values().removeIf(entry -> !now.isBefore(entry.expires()));
            }
        };
    }
}
