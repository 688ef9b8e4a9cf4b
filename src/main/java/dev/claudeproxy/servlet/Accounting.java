package dev.claudeproxy.servlet;

import dev.claudeproxy.config.Usage;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.ledger.Ledger;
import dev.claudeproxy.ledger.LedgerDatabase;
import dev.claudeproxy.ledger.LedgerEntry;
import dev.claudeproxy.ledger.SharedGrants;
import dev.claudeproxy.ledger.SharedRevocations;
import dev.claudeproxy.identity.GrantStore;
import dev.claudeproxy.identity.Revocation;
import dev.claudeproxy.identity.SessionTokens;
import dev.claudeproxy.policy.BudgetCheck;
import dev.claudeproxy.policy.Limits;
import dev.claudeproxy.policy.Policy;
import dev.claudeproxy.policy.PolicyFile;
import dev.claudeproxy.policy.RateLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The policy and the ledger, as the servlet asks them: before a messages call, may this caller
 * make it now ({@link #admit}: budgets, then rate limits); after it, what it cost
 * ({@link #ended}: the rate limits' place given back, the exchange recorded).
 */
final class Accounting implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Accounting.class.getName());
    /** The limits of a request the policy has not looked at: none. */
    static final Limits UNLIMITED = Policy.OPEN.limits(Policy.ANONYMOUS, List.of());

    private final Usage settings;
    private final PolicyFile policy;
    private final Optional<LedgerDatabase> database;
    private final Optional<Ledger> ledger;
    private volatile Optional<SharedRevocations> revocations = Optional.empty();
    private final RateLimits rates = new RateLimits(System::nanoTime);
    private final Clock clock;

    private Accounting(Usage settings, PolicyFile policy, Optional<LedgerDatabase> database, Optional<Ledger> ledger,
                       Clock clock) {
        this.settings = settings;
        this.policy = policy;
        this.database = database;
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * Reads the policy file and opens the ledger's database (migrating its schema).
     *
     * @param workDirectory the webapp's work directory, where the embedded database lives
     * @throws IllegalArgumentException when the policy file is refused or the DataSource named is not bound
     */
    static Accounting start(Usage settings, Path workDirectory) {
        PolicyFile policy = PolicyFile.load(settings.policyFile(), System::nanoTime);
        Optional<Ledger> ledger = Optional.empty();
        Optional<LedgerDatabase> database = Optional.empty();
        if (settings.ledger()) {
            database = Optional.of(LedgerDatabase.open(settings.dataSource(), settings.dataSourceRequired(),
                    settings.jdbcUrl(), workDirectory));
            ledger = Optional.of(new Ledger(database.get(), new Ledger.Config(Duration.ofSeconds(1), 500, 100_000,
                    Duration.ofSeconds(2), settings.retentionDays(), Duration.ofSeconds(30)), Clock.systemUTC()));
        } else if (policy.current().hasBudgets()) {
            LOG.warning("LEDGER=off: the policy's budgets are not enforced, no spend being counted");
        }
        return new Accounting(settings, policy, database, ledger, Clock.systemUTC());
    }

    /**
     * Shares the sign-in's revocations with the other nodes through the ledger's database: a user
     * the provider drops, or a sign-out, is refused on every node within two seconds. Without a
     * ledger, they hold on this node only.
     */
    void shareRevocations(SessionTokens sessions) {
        database.ifPresent(shared -> {
            SharedRevocations board = new SharedRevocations(shared, Duration.ofSeconds(2),
                    (kind, key, effective, expires) -> sessions.apply(new Revocation(Revocation.Kind.valueOf(kind), key,
                            effective, expires)), Clock.systemUTC());
            sessions.shareWith(revocation -> board.publish(revocation.kind().name(), revocation.key(),
                    revocation.effective(), revocation.expires()));
            revocations = Optional.of(board);
        });
    }

    /**
     * Where the sign-ins under way are kept: the ledger's database when it is one the nodes may
     * share, so that each step of a sign-in may reach any node; else this node's memory.
     */
    GrantStore grantStore() {
        return database.filter(shared -> !shared.embedded())
                .<GrantStore>map(shared -> new SharedGrantStore(new SharedGrants(shared)))
                .orElseGet(GrantStore::inMemory);
    }

    Policy policy() {
        return policy.current();
    }

    /** What the policy allows this caller (resolved once per caller and policy). */
    Limits limits(String user, List<String> groups) {
        return policy.limits(user, groups);
    }

    Optional<Ledger> ledger() {
        return ledger;
    }

    /**
     * Resolves what the policy allows the trace's caller, and refuses the call when a budget is
     * spent (429 {@code billing_error}, which Claude Code shows as it is, not to be retried) or a
     * rate limit is reached (429 {@code rate_limit_error}, with when to retry).
     *
     * @return the headers a successful answer carries: how much of the caller's budget is spent
     */
    Map<String, String> admit(Trace trace) {
        Policy now = policy.current();
        Limits limits = policy.limits(trace.user, trace.groups);
        trace.limits = limits;
        Map<String, String> standing = Map.of();
        if (!limits.budgets().isEmpty() && ledger.isPresent()) {
            if (settings.refuseWhenStale() && !ledger.get().fresh()) {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("x-should-retry", "false");
                headers.put("anthropic-ratelimit-unified-status", "rejected");
                headers.put("anthropic-ratelimit-unified-overage-disabled-reason", "fetch_error");
                throw new ProxyException(429, ErrorType.BILLING, "Your budget cannot be checked right now (the gateway's"
                        + " usage database is out of reach), and this gateway refuses requests until it can. Try again in"
                        + " a few minutes.", headers);
            }
            Instant at = clock.instant();
            BudgetCheck check = BudgetCheck.of(limits, ledger.get(), at, now.currency());
            if (check.exhausted().isPresent()) {
                throw new ProxyException(429, ErrorType.BILLING, check.message(), check.refusalHeaders(at));
            }
            standing = check.standingHeaders();
        }
        Optional<RateLimits.Refusal> refusal = rates.begin(limits);
        if (refusal.isPresent()) {
            Duration wait = refusal.get().retryAfter();
            throw new ProxyException(429, ErrorType.RATE_LIMIT, "Rate limited: " + refusal.get().message() + ".",
                    Map.of("retry-after", Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000)),
                            "retry-after-ms", Long.toString(wait.toMillis())));
        }
        trace.ratePlaceTaken = limits.rateLimited();
        return standing;
    }

    /** A messages exchange has ended: its place of the rate limits given back, and it is recorded. */
    void ended(Trace trace, int status) {
        if (!trace.endpoint.equals("messages")) {
            return;
        }
        long tokens = (long) trace.inputTokens + trace.cachedTokens + trace.outputTokens;
        if (trace.ratePlaceTaken) {
            rates.end(trace.limits, tokens);
        }
        if (ledger.isEmpty()) {
            return;
        }
        String host = trace.upstreamHost;
        long cost = policy.price(host, trace.model)
                .map(price -> price.cost(trace.inputTokens, trace.cachedTokens, trace.outputTokens)).orElse(0L);
        trace.cost = cost;
        ledger.get().record(new LedgerEntry(clock.instant(), trace.user, trace.groups, trace.session, trace.agent,
                trace.routeKind, host, trace.model, trace.inputTokens, trace.cachedTokens, trace.outputTokens, cost, status,
                trace.durationNanos() / 1_000_000));
    }

    /** Writes what the ledger and the revocations hold before the webapp stops, then closes their database. */
    @Override
    public void close() {
        ledger.ifPresent(Ledger::close);
        revocations.ifPresent(SharedRevocations::close);
        database.ifPresent(LedgerDatabase::close);
    }
}
