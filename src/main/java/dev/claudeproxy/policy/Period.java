package dev.claudeproxy.policy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/** A budget's period, in UTC: a calendar day, an ISO week (from Monday), a calendar month. */
public enum Period {
    DAY("daily", "today"), WEEK("weekly", "this week"), MONTH("monthly", "this month");

    private final String adjective;
    private final String current;

    Period(String adjective, String current) {
        this.adjective = adjective;
        this.current = current;
    }

    /** {@code daily}, {@code weekly}, {@code monthly}: Claude Code's name of the period. */
    public String adjective() {
        return adjective;
    }

    /** {@code today}, {@code this week}, {@code this month}. */
    public String current() {
        return current;
    }

    /** The first day of the period {@code day} is in. */
    public LocalDate start(LocalDate day) {
        return switch (this) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
        };
    }

    /** When the period {@code now} is in ends: the next one's first instant. */
    public Instant reset(Instant now) {
        LocalDate start = start(LocalDate.ofInstant(now, ZoneOffset.UTC));
        LocalDate next = switch (this) {
            case DAY -> start.plusDays(1);
            case WEEK -> start.plusWeeks(1);
            case MONTH -> start.plusMonths(1);
        };
        return next.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
