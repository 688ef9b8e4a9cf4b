package dev.claudeproxy.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
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
    /** The policy, and the limits resolved per caller under it: the same few callers come back every request. */
    private volatile Resolved current;
    static final int MAX_RESOLVED = 10_000;

    private record Resolved(Policy policy, java.util.Map<java.util.List<Object>, Limits> byCaller) {
        Resolved(Policy policy) {
            this(policy, new java.util.concurrent.ConcurrentHashMap<>());
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
    public Limits limits(String user, java.util.List<String> groups) {
        Resolved now = resolved();
        java.util.Map<java.util.List<Object>, Limits> cache = now.byCaller();
        java.util.List<Object> caller = java.util.List.of(user, groups);
        Limits limits = cache.get(caller);
        if (limits == null) {
            limits = now.policy().limits(user, groups);
            if (cache.size() >= MAX_RESOLVED) {
                cache.clear(); // many callers: resolved again as they come
            }
            cache.put(caller, limits);
        }
        return limits;
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
