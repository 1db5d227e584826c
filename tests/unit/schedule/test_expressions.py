"""EventBridge schedule expressions: the firings they give, and the ones refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coinlake.errors import ConfigError
from coinlake.schedule.expressions import parse_schedule, time_zone

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # a Sunday


def firings(expression: str, count: int = 3, after: datetime = START) -> list[str]:
    schedule = parse_schedule(expression, anchor=START)
    out, moment = [], after
    for _ in range(count):
        moment = schedule.next_after(moment)
        out.append(f"{moment:%a %Y-%m-%d %H:%M:%S}")
    return out


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(1 minute)", ["Sun 2026-11-22 12:01:00", "Sun 2026-11-22 12:02:00"]),
        ("rate(5 minutes)", ["Sun 2026-11-22 12:05:00", "Sun 2026-11-22 12:10:00"]),
        ("rate(2 hours)", ["Sun 2026-11-22 14:00:00", "Sun 2026-11-22 16:00:00"]),
        ("rate(1 day)", ["Mon 2026-11-23 12:00:00", "Tue 2026-11-24 12:00:00"]),
        # the seeds' daily CoinGecko snapshot, 9:00 PST
        ("cron(0 17 * * ? *)", ["Sun 2026-11-22 17:00:00", "Mon 2026-11-23 17:00:00"]),
        ("cron(0/15 * * * ? *)", ["Sun 2026-11-22 12:15:00", "Sun 2026-11-22 12:30:00"]),
        ("cron(5,35 12-13 * * ? *)", ["Sun 2026-11-22 12:05:00", "Sun 2026-11-22 12:35:00"]),
        # day-of-week 1 = Sunday: 2-6 is Monday to Friday, as MON-FRI
        ("cron(0 9 ? * 2-6 *)", ["Mon 2026-11-23 09:00:00", "Tue 2026-11-24 09:00:00"]),
        ("cron(0 9 ? * MON-FRI *)", ["Mon 2026-11-23 09:00:00", "Tue 2026-11-24 09:00:00"]),
        ("cron(0 0 ? * 1 *)", ["Sun 2026-11-29 00:00:00", "Sun 2026-12-06 00:00:00"]),
        ("cron(30 0 L * ? *)", ["Mon 2026-11-30 00:30:00", "Thu 2026-12-31 00:30:00"]),
        ("cron(0 12 1 JAN,JUL ? *)", ["Fri 2027-01-01 12:00:00", "Thu 2027-07-01 12:00:00"]),
        ("cron(0 12 1 1 ? 2028)", ["Sat 2028-01-01 12:00:00"]),
    ],
)
def test_expressions_fire_when_eventbridge_would(expression: str, expected: list[str]) -> None:
    assert firings(expression, len(expected)) == expected


def test_next_firing_is_strictly_after_the_moment_given() -> None:
    schedule = parse_schedule("cron(0 17 * * ? *)", anchor=START)
    at = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
    assert schedule.next_after(at) == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    assert schedule.next_after(at.replace(second=30)) == datetime(2026, 11, 23, 17, tzinfo=UTC)
    rate = parse_schedule("rate(5 minutes)", anchor=START)
    assert rate.next_after(START) == datetime(2026, 11, 22, 12, 5, tzinfo=UTC)
    assert rate.next_after(datetime(2026, 11, 22, 11, tzinfo=UTC)) == START


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("every 5 minutes", "use rate(N minutes|hours|days) or cron("),
        ("rate(1 minutes)", "write rate(1 minute)"),
        ("rate(5 minute)", "write rate(5 minutes)"),
        ("rate(0 minutes)", "at least 1"),
        ("rate(2 weeks)", "minute(s), hour(s) or day(s)"),
        ("cron(0 17 * * *)", "6 fields"),
        ("cron(0 17 * * 1 *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 17 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 17 15W * ? *)", "'W' and '#' are not supported"),
        ("cron(0 17 ? * 2#1 *)", "'L' and '#' in day-of-week are not supported"),
        ("cron(0 17 * 13 ? *)", "month '13' is not 1-12"),
        ("cron(0 17 ? * 8 *)", "day-of-week '8' is not 1-7"),
        ("cron(0 25 * * ? *)", "higher than the maximum"),
        ("cron(x 17 * * ? *)", 'Unrecognized expression "X" for field "minute"'),
        ("cron(1-2-3 17 * * ? *)", "cannot read minutes field"),
    ],
)
def test_bad_expressions_are_one_clear_error(expression: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_schedule(expression, anchor=START)
    assert message in str(raised.value)
    assert expression.split("(")[0] in str(raised.value)


def test_cron_in_a_named_zone_fires_at_local_time_across_daylight_saving() -> None:
    """9:00 in Los Angeles is 17:00 UTC in winter (PST) and 16:00 UTC in summer (PDT)."""
    zone = time_zone("America/Los_Angeles")
    schedule = parse_schedule("cron(0 9 * * ? *)", anchor=START, timezone=zone)
    winter = schedule.next_after(datetime(2026, 11, 22, 12, tzinfo=UTC))
    summer = schedule.next_after(datetime(2026, 7, 1, 12, tzinfo=UTC))
    assert winter == datetime(2026, 11, 22, 17, tzinfo=UTC)
    assert summer == datetime(2026, 7, 1, 16, tzinfo=UTC)
    # the night the clocks go back (2026-11-01), still once, at 9:00 local
    fall = schedule.next_after(datetime(2026, 10, 31, 17, tzinfo=UTC))
    assert fall == datetime(2026, 11, 1, 17, tzinfo=UTC)
    assert schedule.next_after(fall) == datetime(2026, 11, 2, 17, tzinfo=UTC)


def test_a_rate_does_not_depend_on_the_zone() -> None:
    zone = time_zone("America/Los_Angeles")
    rate = parse_schedule("rate(2 hours)", anchor=START, timezone=zone)
    assert rate.next_after(START) == datetime(2026, 11, 22, 14, tzinfo=UTC)


def test_an_unknown_zone_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="'Mars/Olympus' is not an IANA zone name"):
        time_zone("Mars/Olympus")
    assert time_zone("utc") is UTC
