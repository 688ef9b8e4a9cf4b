package dev.claudeproxy.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The policy file ({@code POLICY_FILE}), watched: at most every {@link #CHECK_NANOS} a request
 * looks at its modification time, and a changed file is read again. A file that cannot be taken
 * stops the start; at a reload it is refused with its line in the log, and the policy before it
 * holds. Without a file, the policy is {@link Policy#OPEN}.
 */
public final class PolicyFile {

    private static final Logger LOG = Logger.getLogger(PolicyFile.class.getName());
    static final long CHECK_NANOS = 2_000_000_000L;

    private final Optional<Path> path;
    private final LongSupplier nanos;
    private final AtomicLong nextCheck;
    /**
     * The policy, and what was resolved under it: the limits per caller, the price per upstream
     * model. The same few callers and models come back every request.
     */
    private volatile Resolved current;
    static final int MAX_RESOLVED = 10_000;
    static final int MAX_RESOLVED_CHARS = 512;

    private record Resolved(Policy policy, Map<List<Object>, Limits> byCaller, Map<List<String>, Optional<Price>> byModel) {
        Resolved(Policy policy) {
            this(policy, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }
    }
    private volatile FileTime loaded;

    private PolicyFile(Optional<Path> path, LongSupplier nanos, Policy first, FileTime loaded) {
        this.path = path;
        this.nanos = nanos;
        this.current = new Resolved(first);
        this.loaded = loaded;
        this.nextCheck = new AtomicLong(nanos.getAsLong() + CHECK_NANOS);
    }

    /** @throws IllegalArgumentException naming the file and line, when it cannot be read or taken */
    public static PolicyFile load(Optional<Path> path, LongSupplier nanos) {
        if (path.isEmpty()) {
            return new PolicyFile(path, nanos, Policy.OPEN, FileTime.fromMillis(0));
        }
        try {
            FileTime modified = Files.getLastModifiedTime(path.get());
            Policy policy = Policy.parse(Files.readString(path.get(), StandardCharsets.UTF_8), path.get().toString());
            LOG.info(() -> "policy read from " + path.get() + ": " + policy.groups().size() + " groups, " + policy.users().size()
                    + " users, " + policy.prices().size() + " prices");
            return new PolicyFile(path, nanos, policy, modified);
        } catch (IOException e) {
            throw new IllegalArgumentException("POLICY_FILE " + path.get() + " cannot be read: " + e.getMessage(), e);
        } catch (PolicyException e) {
            throw new IllegalArgumentException("POLICY_FILE is refused: " + e.getMessage(), e);
        }
    }

    /** What the policy now allows this caller, resolved once per caller and policy. */
    public Limits limits(String user, List<String> groups) {
        Resolved now = resolved();
        return once(now.byCaller(), List.of(user, groups), caller -> now.policy().limits(user, groups));
    }

    /** The price of a model of a host under the policy now (its first matching price), resolved once per model and policy. */
    public Optional<Price> price(String host, String model) {
        Resolved now = resolved();
        if (host == null || model == null || host.length() + model.length() > MAX_RESOLVED_CHARS) {
            return now.policy().price(host, model); // a model id is the client's: no long one kept
        }
        return once(now.byModel(), List.of(host, model), key -> now.policy().price(host, model));
    }

    /** What {@code resolve} gives for {@code key}, kept: past {@link #MAX_RESOLVED} keys, all resolved again as they come. */
    private static <K, V> V once(Map<K, V> cache, K key, Function<K, V> resolve) {
        V value = cache.get(key);
        if (value == null) {
            value = resolve.apply(key);
            if (cache.size() >= MAX_RESOLVED) {
                cache.clear();
            }
            cache.put(key, value);
        }
        return value;
    }

    /** The policy now, read again first when the file has changed. */
    public Policy current() {
        return resolved().policy();
    }

    private Resolved resolved() {
        long now = nanos.getAsLong();
        long next = nextCheck.get();
        if (path.isPresent() && now - next >= 0 && nextCheck.compareAndSet(next, now + CHECK_NANOS)) {
            reload();
        }
        return current;
    }

    private void reload() {
        Path file = path.orElseThrow();
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (modified.equals(loaded)) {
                return;
            }
            loaded = modified;
            current = new Resolved(Policy.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString()));
            LOG.info(() -> "policy read again from " + file);
        } catch (IOException e) {
            LOG.severe("the policy file " + file + " cannot be read (" + e.getMessage() + "); the policy read before holds");
        } catch (PolicyException e) {
            LOG.severe("the changed policy file is refused, and the policy read before holds: " + e.getMessage());
        }
    }
}
