package dev.claudeproxy.policy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * The operator's policy: prices, and rules for everyone, per group, per user and for the anonymous
 * user ({@link #parse} reads the file). Immutable; a changed file is a new policy.
 *
 * @param currency what money budgets and prices are in ({@code USD} unless the file says)
 */
public record Policy(String currency, List<Price> prices, Rules everyone, Map<String, Rules> groups,
                     Map<String, Rules> users, Rules anonymous) {

    /** The user of requests that carry none. */
    public static final String ANONYMOUS = "-";
    /** No policy: every model open, no limit, no price. */
    public static final Policy OPEN = new Policy("USD", List.of(), Rules.NONE, Map.of(), Map.of(), Rules.NONE);

    public Policy {
        prices = List.copyOf(prices);
        groups = Map.copyOf(groups);
        users = Map.copyOf(users);
    }

    /** Whether any section sets a budget: budgets need the ledger's counters. */
    public boolean hasBudgets() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(everyone, anonymous),
                java.util.stream.Stream.concat(groups.values().stream(), users.values().stream()))
                .anyMatch(rules -> !rules.budgets().isEmpty());
    }

    /** The groups the policy names: those a container's roles are asked about. */
    public Set<String> groupNames() {
        return groups.keySet();
    }

    /** The price of a model of a host: the first of the file's prices that matches. */
    public Optional<Price> price(String host, String model) {
        return prices.stream().filter(price -> price.matches(host, model)).findFirst();
    }

    /** Every rule resolved for this caller. */
    public Limits limits(String user, Collection<String> callerGroups) {
        String lowerUser = user.toLowerCase(Locale.ROOT);
        Rules own = user.equals(ANONYMOUS) ? anonymous : users.getOrDefault(lowerUser, Rules.NONE);
        List<String> groupNames = callerGroups.stream().map(group -> group.toLowerCase(Locale.ROOT)).distinct().toList();
        List<Rules> mine = groupNames.stream().map(groups::get).filter(Objects::nonNull).toList();

        Optional<List<String>> models = own.models();
        if (models.isEmpty() && mine.stream().anyMatch(rules -> rules.models().isPresent())) {
            Set<String> union = new LinkedHashSet<>();
            mine.forEach(rules -> rules.models().ifPresent(union::addAll));
            models = Optional.of(List.copyOf(union));
        }
        if (models.isEmpty()) {
            models = everyone.models();
        }
        Set<Rules.Key> keys = new LinkedHashSet<>(everyone.budgets().keySet());
        mine.forEach(rules -> keys.addAll(rules.budgets().keySet()));
        keys.addAll(own.budgets().keySet());
        List<Budget> budgets = new ArrayList<>();
        for (Rules.Key key : keys) {
            Budget chosen = Optional.ofNullable(own.budgets().get(key))
                    .or(() -> mine.stream().map(rules -> rules.budgets().get(key)).filter(Objects::nonNull)
                            .max(Comparator.comparingLong(Budget::amount)))
                    .orElseGet(() -> everyone.budgets().get(key));
            budgets.add(chosen.shared() ? chosen : new Budget(chosen.period(), chosen.unit(), chosen.amount(),
                    Pools.user(user), false, chosen.line()));
        }
        budgets.sort(Comparator.comparing(Budget::period).thenComparing(Budget::unit));
        return new Limits(user, callerGroups.stream().toList(), models, number(own, mine, Rules::requestsPerMinute),
                number(own, mine, Rules::tokensPerMinute), number(own, mine, Rules::concurrentStreams), budgets);
    }

    private OptionalLong number(Rules own, List<Rules> mine, Function<Rules, OptionalLong> rule) {
        if (rule.apply(own).isPresent()) {
            return rule.apply(own);
        }
        OptionalLong groupsMost = mine.stream().map(rule).filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).max();
        return groupsMost.isPresent() ? groupsMost : rule.apply(everyone);
    }

    /**
     * Reads a policy file: an optional {@code currency = USD} line, then sections
     * {@code [prices]}, {@code [everyone]}, {@code [group <name>]}, {@code [user <name>]} and
     * {@code [anonymous]} of {@code key = value} lines; {@code #} starts a comment.
     *
     * @param source the file's name, for messages
     * @throws PolicyException naming the line, for anything it cannot take
     */
    public static Policy parse(String text, String source) throws PolicyException {
        return new Parser(source).parse(text);
    }

    private static final class Parser {
        private final String source;
        private String currency = "USD";
        private final List<Price> prices = new ArrayList<>();
        private final Map<String, Section> sections = new LinkedHashMap<>();
        private Section section;
        private boolean inPrices;

        Parser(String source) {
            this.source = source;
        }

        Policy parse(String text) throws PolicyException {
            String[] lines = text.split("\r\n|\r|\n", -1);
            for (int i = 0; i < lines.length; i++) {
                line(lines[i], i + 1);
            }
            Map<String, Rules> groups = new LinkedHashMap<>();
            Map<String, Rules> users = new LinkedHashMap<>();
            Rules everyone = Rules.NONE;
            Rules anonymous = Rules.NONE;
            for (Map.Entry<String, Section> entry : sections.entrySet()) {
                Rules rules = entry.getValue().rules();
                String name = entry.getKey();
                if (name.equals("everyone")) {
                    everyone = rules;
                } else if (name.equals("anonymous")) {
                    anonymous = rules;
                } else if (name.startsWith("group ")) {
                    groups.put(name.substring(6), rules);
                } else {
                    users.put(name.substring(5), rules);
                }
            }
            return new Policy(currency, prices, everyone, groups, users, anonymous);
        }

        private void line(String raw, int number) throws PolicyException {
            String line = withoutComment(raw).strip();
            if (line.isEmpty()) {
                return;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    throw problem(number, "a section header ends with ']'");
                }
                section(line.substring(1, line.length() - 1).strip(), number);
                return;
            }
            int equals = line.indexOf('=');
            if (equals < 1) {
                throw problem(number, "expected 'key = value' or a [section], not '" + shorten(line) + "'");
            }
            String key = line.substring(0, equals).strip();
            String value = line.substring(equals + 1).strip();
            if (inPrices) {
                prices.add(price(key, value, number));
            } else if (section == null) {
                if (!key.equals("currency")) {
                    throw problem(number, "'" + shorten(key) + "' must be inside a section ([everyone], [group <name>],"
                            + " [user <name>], [anonymous] or [prices]); only 'currency' comes before them");
                }
                if (!value.matches("[A-Za-z]{3}")) {
                    throw problem(number, "the currency is a three-letter code such as USD or EUR, not '" + shorten(value) + "'");
                }
                currency = value.toUpperCase(Locale.ROOT);
            } else {
                section.set(key, value, number);
            }
        }

        private void section(String header, int number) throws PolicyException {
            String[] words = header.split("\\s+", 2);
            String kind = words[0].toLowerCase(Locale.ROOT);
            inPrices = false;
            String name;
            switch (kind) {
                case "prices" -> {
                    inPrices = true;
                    section = null;
                    return;
                }
                case "everyone", "anonymous" -> {
                    if (words.length > 1) {
                        throw problem(number, "[" + kind + "] takes no name");
                    }
                    name = kind;
                }
                case "group", "user" -> {
                    if (words.length < 2 || words[1].isBlank()) {
                        throw problem(number, "[" + kind + " <name>] needs the " + kind + "'s name");
                    }
                    name = kind + " " + words[1].strip().toLowerCase(Locale.ROOT);
                }
                default -> throw problem(number, "unknown section [" + shorten(header) + "]; sections are [everyone],"
                        + " [group <name>], [user <name>], [anonymous] and [prices]");
            }
            if (sections.containsKey(name)) {
                throw problem(number, "[" + header + "] is given twice; its first is at line " + sections.get(name).line);
            }
            section = new Section(name, number);
            sections.put(name, section);
        }

        private Price price(String target, String value, int number) throws PolicyException {
            String[] figures = value.split("\\s*,\\s*");
            if (figures.length != 3) {
                throw problem(number, "a price is 'host/model = input, cached input, output' (per million tokens, in "
                        + currency + ")");
            }
            long[] millionths = new long[3];
            for (int i = 0; i < 3; i++) {
                millionths[i] = money(figures[i], number);
            }
            return new Price(target.contains("/") ? target : "*/" + target, millionths[0], millionths[1], millionths[2], number);
        }

        private long money(String text, int number) throws PolicyException {
            try {
                BigDecimal amount = new BigDecimal(text.strip());
                if (amount.signum() < 0 || amount.scale() > 6 || amount.compareTo(BigDecimal.valueOf(1_000_000_000L)) > 0) {
                    throw new NumberFormatException();
                }
                return amount.movePointRight(6).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw problem(number, "'" + shorten(text) + "' is not an amount of money (at most six decimals)");
            }
        }

        /** One section's rules as they are read. */
        private final class Section {
            private final String name;
            private final int line;
            private final Map<String, Integer> seen = new LinkedHashMap<>();
            private Optional<List<String>> models = Optional.empty();
            private OptionalLong requests = OptionalLong.empty();
            private OptionalLong tokens = OptionalLong.empty();
            private OptionalLong streams = OptionalLong.empty();
            private final Map<Rules.Key, Budget> budgets = new LinkedHashMap<>();

            Section(String name, int line) {
                this.name = name;
                this.line = line;
            }

            void set(String key, String value, int number) throws PolicyException {
                String rule = key.toLowerCase(Locale.ROOT);
                if (seen.containsKey(rule)) {
                    throw problem(number, "'" + rule + "' is set twice in [" + name + "]; first at line " + seen.get(rule));
                }
                seen.put(rule, number);
                switch (rule) {
                    case "models" -> models = Optional.of(Arrays.stream(value.split(",")).map(String::strip)
                            .filter(glob -> !glob.isEmpty()).map(glob -> glob.contains("/") ? glob : "*/" + glob).toList());
                    case "requests_per_minute" -> requests = OptionalLong.of(count(value, number));
                    case "tokens_per_minute" -> tokens = OptionalLong.of(count(value, number));
                    case "concurrent_streams" -> streams = OptionalLong.of(count(value, number));
                    case "budget_per_day" -> budget(Period.DAY, value, number);
                    case "budget_per_week" -> budget(Period.WEEK, value, number);
                    case "budget_per_month" -> budget(Period.MONTH, value, number);
                    default -> throw problem(number, "unknown rule '" + shorten(key) + "'; rules are models,"
                            + " requests_per_minute, tokens_per_minute, concurrent_streams, budget_per_day, budget_per_week"
                            + " and budget_per_month");
                }
            }

            private void budget(Period period, String value, int number) throws PolicyException {
                String[] words = value.split("\\s+");
                boolean shared = words.length == 3 && words[2].equalsIgnoreCase("shared");
                if (words.length < 2 || words.length > 3 || (words.length == 3 && !shared)) {
                    throw problem(number, "a budget is '<amount> " + currency + "' or '<amount> tokens', then 'shared' for a"
                            + " group's or everyone's common pool");
                }
                if (shared && !(name.startsWith("group ") || name.equals("everyone"))) {
                    throw problem(number, "only a group's or everyone's budget can be shared");
                }
                Budget.Unit unit;
                long amount;
                if (words[1].equalsIgnoreCase("tokens")) {
                    unit = Budget.Unit.TOKENS;
                    amount = count(words[0], number);
                } else if (words[1].equalsIgnoreCase(currency)) {
                    unit = Budget.Unit.MONEY;
                    amount = money(words[0], number);
                } else {
                    throw problem(number, "'" + shorten(words[1]) + "' is neither tokens nor the policy's currency ("
                            + currency + "; a 'currency =' line before the sections sets another)");
                }
                String pool = !shared ? "" : name.equals("everyone") ? Pools.EVERYONE : Pools.group(name.substring(6));
                budgets.put(new Rules.Key(period, unit), new Budget(period, unit, amount, pool, shared, number));
            }

            Rules rules() {
                return new Rules(models, requests, tokens, streams, budgets);
            }
        }

        private long count(String text, int number) throws PolicyException {
            try {
                long value = Long.parseLong(text.strip().replace("_", ""));
                if (value < 0) {
                    throw new NumberFormatException();
                }
                return value;
            } catch (NumberFormatException e) {
                throw problem(number, "'" + shorten(text) + "' is not a whole number of 0 or more");
            }
        }

        private PolicyException problem(int line, String message) {
            return new PolicyException(source, line, message);
        }
    }

    /** A line without its comment: {@code #} at the start or after a space starts one. */
    private static String withoutComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
