package dev.claudeproxy.servlet;

import dev.claudeproxy.config.Usage;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.ledger.Ledger;
import dev.claudeproxy.policy.Budget;
import dev.claudeproxy.policy.Limits;
import dev.claudeproxy.policy.Period;
import dev.claudeproxy.policy.Policy;
import dev.claudeproxy.policy.Pools;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Who spent what, read from the ledger: {@code GET /_proxy/usage} (everyone's, by user, group,
 * model, route, day or session, as JSON or CSV) for the administrators {@code USAGE_ADMINS}
 * names; {@code GET /_proxy/usage/me} (one's own budgets and spend) for every caller; and
 * {@code GET /api/oauth/usage}, the dollar figures Claude Code's {@code /usage} shows.
 */
final class UsageEndpoints {

    /** The usage page, which reads the two below in the browser. */
    static final String PAGE = "/usage";
    static final String USAGE = "/_proxy/usage";
    static final String MINE = "/_proxy/usage/me";
    static final String CLAUDE_CODE_USAGE = "/api/oauth/usage";
    private static final Logger LOG = Logger.getLogger(UsageEndpoints.class.getName());
    private static final int MAX_DAYS = 400;

    private final Usage settings;
    private final Accounting accounting;
    private final Clock clock;

    UsageEndpoints(Usage settings, Accounting accounting, Clock clock) {
        this.settings = settings;
        this.accounting = accounting;
        this.clock = clock;
    }

    static boolean serves(String path) {
        return path.equals(USAGE) || path.equals(MINE) || path.equals(CLAUDE_CODE_USAGE);
    }

    /** Answers one of {@link #serves}'s paths for an authenticated caller (the trace's user and groups). */
    void answer(String path, HttpServletRequest request, HttpServletResponse response, Trace trace) throws IOException {
        Ledger ledger = accounting.ledger().orElseThrow(() -> new ProxyException(ErrorType.NOT_FOUND,
                "this gateway keeps no usage ledger (LEDGER=off)"));
        Policy policy = accounting.policy();
        Limits limits = accounting.limits(trace.user, trace.groups);
        switch (path) {
            case USAGE -> everyone(request, response, trace, ledger, policy.currency());
            case MINE -> JsonResponse.write(response, 200, mine(ledger, limits, policy.currency()));
            default -> JsonResponse.write(response, 200, claudeCode(ledger, limits, policy.currency()));
        }
    }

    private void everyone(HttpServletRequest request, HttpServletResponse response, Trace trace, Ledger ledger,
                          String currency) throws IOException {
        if (!admin(request, trace)) {
            throw new ProxyException(ErrorType.PERMISSION, "everyone's usage is for the administrators USAGE_ADMINS names;"
                    + " your own is at " + MINE);
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate from = day(request, "from", Period.MONTH.start(today));
        LocalDate to = day(request, "to", today);
        if (to.isBefore(from) || ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw ProxyException.invalidRequest("from must be on or before to, at most " + MAX_DAYS + " days apart");
        }
        String by = Optional.ofNullable(request.getParameter("by")).orElse("user").toLowerCase(Locale.ROOT);
        List<Ledger.Usage> rows;
        try {
            rows = by.equals("session")
                    ? ledger.usageBySession(from.atStartOfDay(ZoneOffset.UTC).toInstant(),
                    to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(), Optional.empty())
                    : ledger.usage(from, to, by(by), Optional.empty());
        } catch (Ledger.Unavailable e) {
            throw unavailable(e);
        }
        boolean csv = "csv".equalsIgnoreCase(request.getParameter("format"))
                || Optional.ofNullable(request.getHeader("Accept")).orElse("").startsWith("text/csv");
        if (csv) {
            StringBuilder text = new StringBuilder(by + ",requests,input_tokens,cached_tokens,output_tokens,cost_" +
                    currency.toLowerCase(Locale.ROOT) + "\r\n");
            for (Ledger.Usage row : rows) {
                text.append(csvField(row.key())).append(',').append(row.requests()).append(',').append(row.inputTokens())
                        .append(',').append(row.cachedTokens()).append(',').append(row.outputTokens()).append(',')
                        .append(money(row.cost())).append("\r\n");
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            response.setStatus(200);
            response.setContentType("text/csv;charset=UTF-8");
            response.setHeader("Content-Disposition", "attachment; filename=\"usage-" + by + "-" + from + "-" + to + ".csv\"");
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
            return;
        }
        JsonArrayBuilder array = Json.JSON_P.createArrayBuilder();
        rows.forEach(row -> array.add(row(row)));
        JsonResponse.write(response, 200, Json.JSON_P.createObjectBuilder().add("from", from.toString())
                .add("to", to.toString()).add("by", by).add("currency", currency).add("rows", array)
                .add("truncated", rows.size() == Ledger.MAX_ROWS).build().toString());
    }

    /** One's own budgets, where they stand, and this month's spend by day and by model. */
    private String mine(Ledger ledger, Limits limits, String currency) {
        Instant now = clock.instant();
        JsonArrayBuilder budgets = Json.JSON_P.createArrayBuilder();
        for (Budget budget : limits.budgets()) {
            long spent = ledger.spent(budget.pool(), budget.period(), budget.unit());
            budgets.add(Json.JSON_P.createObjectBuilder().add("period", budget.period().adjective())
                    .add("unit", budget.unit() == Budget.Unit.MONEY ? currency : "tokens")
                    .add("limit", figure(budget, budget.amount())).add("spent", figure(budget, spent))
                    .add("left", figure(budget, Math.max(0, budget.amount() - spent)))
                    .add("shared_by", budget.sharedBy())
                    .add("resets_at", budget.period().reset(now).toString()));
        }
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        JsonObjectBuilder usage = Json.JSON_P.createObjectBuilder().add("user", limits.user()).add("currency", currency)
                .add("budgets", budgets);
        try {
            for (Ledger.By by : List.of(Ledger.By.DAY, Ledger.By.MODEL)) {
                JsonArrayBuilder array = Json.JSON_P.createArrayBuilder();
                ledger.usage(Period.MONTH.start(today), today, by, Optional.of(limits.user())).forEach(row -> array.add(row(row)));
                usage.add(by == Ledger.By.DAY ? "this_month_by_day" : "this_month_by_model", array);
            }
        } catch (Ledger.Unavailable e) {
            throw unavailable(e);
        }
        return usage.build().toString();
    }

    /**
     * Claude Code's {@code /usage} figures: the caller's money budgets in minor units (cents),
     * whole percents, the reset to the second as the budget headers give it.
     */
    private String claudeCode(Ledger ledger, Limits limits, String currency) {
        Instant now = clock.instant();
        JsonObjectBuilder body = Json.JSON_P.createObjectBuilder();
        JsonArrayBuilder rows = Json.JSON_P.createArrayBuilder();
        Optional<Budget> monthly = Optional.empty();
        for (Budget budget : limits.budgets()) {
            if (budget.unit() != Budget.Unit.MONEY) {
                continue;
            }
            long spent = ledger.spent(budget.pool(), budget.period(), budget.unit());
            int percent = (int) Math.min(100, spent * 100 / Math.max(1, budget.amount()));
            double share = (double) spent / Math.max(1, budget.amount());
            rows.add(Json.JSON_P.createObjectBuilder().add("kind", "spend").add("group", budget.period().adjective())
                    .add("percent", percent).add("resets_at", budget.period().reset(now).toString().replace("Z", ".000Z"))
                    .add("severity", share >= 0.95 ? "critical" : share >= 0.75 ? "warning" : "normal")
                    .add("is_active", budget.period() == Period.MONTH || limits.budgets().size() == 1));
            if (budget.period() == Period.MONTH) {
                monthly = Optional.of(budget);
            }
        }
        long monthSpent = ledger.spent(Pools.user(limits.user()), Period.MONTH, Budget.Unit.MONEY);
        JsonObjectBuilder extra = Json.JSON_P.createObjectBuilder().add("is_enabled", true).add("currency", currency);
        if (monthly.isPresent()) {
            long spent = ledger.spent(monthly.get().pool(), Period.MONTH, Budget.Unit.MONEY);
            extra.add("monthly_limit", cents(monthly.get().amount())).add("used_credits", cents(spent))
                    .add("utilization", (int) Math.min(100, spent * 100 / Math.max(1, monthly.get().amount())));
        } else {
            extra.add("monthly_limit", JsonValue.NULL).add("used_credits", cents(monthSpent)).add("utilization", JsonValue.NULL);
        }
        body.add("extra_usage", extra).add("limits", rows);
        for (Period period : List.of(Period.DAY, Period.WEEK)) {
            Optional<Budget> budget = limits.budgets().stream().filter(b -> b.unit() == Budget.Unit.MONEY
                    && b.period() == period).findFirst();
            long spent = ledger.spent(budget.map(Budget::pool).orElse(Pools.user(limits.user())),
                    period, Budget.Unit.MONEY);
            JsonObjectBuilder figures = Json.JSON_P.createObjectBuilder().add("used_credits", cents(spent));
            if (budget.isPresent()) {
                figures.add("limit", cents(budget.get().amount()))
                        .add("utilization", (int) Math.min(100, spent * 100 / Math.max(1, budget.get().amount())));
            } else {
                figures.add("limit", JsonValue.NULL).add("utilization", JsonValue.NULL);
            }
            body.add(period.adjective(), figures);
        }
        return body.build().toString();
    }

    /** An administrator: named in {@code USAGE_ADMINS} as a user, as one of their groups, or as a server role they hold. */
    private boolean admin(HttpServletRequest request, Trace trace) {
        for (String admin : settings.admins()) {
            if (admin.equalsIgnoreCase(trace.user) || trace.groups.stream().anyMatch(admin::equalsIgnoreCase)
                    || (request.getUserPrincipal() != null && request.isUserInRole(admin))) {
                return true;
            }
        }
        return false;
    }

    private static JsonObjectBuilder row(Ledger.Usage row) {
        return Json.JSON_P.createObjectBuilder().add("key", row.key()).add("requests", row.requests())
                .add("input_tokens", row.inputTokens()).add("cached_tokens", row.cachedTokens())
                .add("output_tokens", row.outputTokens()).add("cost", money(row.cost()));
    }

    private static Ledger.By by(String name) {
        try {
            return Ledger.By.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProxyException.invalidRequest("by is one of user, group, model, route, day, session; not '"
                    + Trace.clean(name) + "'");
        }
    }

    private static LocalDate day(HttpServletRequest request, String name, LocalDate fallback) {
        String text = request.getParameter(name);
        if (text == null) {
            return fallback;
        }
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw ProxyException.invalidRequest(name + " is a day such as 2026-12-01, not '" + Trace.clean(text) + "'");
        }
    }

    /** A budget's figure: money as {@link #money}, tokens as a whole number. */
    private static String figure(Budget budget, long amount) {
        return budget.unit() == Budget.Unit.MONEY ? money(amount) : Long.toString(amount);
    }

    /** Money in millionths, as a decimal of the currency (six places: what prices are set in). */
    static String money(long millionths) {
        return BigDecimal.valueOf(millionths).movePointLeft(6).setScale(6, RoundingMode.UNNECESSARY).toPlainString();
    }

    private static long cents(long millionths) {
        return (millionths + 5_000) / 10_000;
    }

    /** A CSV field: quoted when it must be, and never read as a formula by a spreadsheet. */
    private static String csvField(String value) {
        String safe = !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        return safe.matches("[^\",\r\n]*") ? safe : "\"" + safe.replace("\"", "\"\"") + "\"";
    }

    private static ProxyException unavailable(Ledger.Unavailable e) {
        LOG.log(Level.WARNING, "the usage ledger could not be read", e);
        return new ProxyException(503, ErrorType.API, "the usage ledger cannot be read right now; try again shortly",
                java.util.Map.of());
    }
}
