"""EventBridge schedule expressions, evaluated in UTC or in a named time zone.

    rate(1 minute) | rate(5 minutes) | rate(2 hours) | rate(1 day)
    cron(minutes hours day-of-month month day-of-week year)

Cron fields follow EventBridge: six fields, one of day-of-month and day-of-week must be `?`,
day-of-week is 1-7 with 1 = Sunday (or SUN-SAT), months 1-12 or JAN-DEC; `*`, `,`, `-` and `/`
work everywhere, `L` in day-of-month means its last day. `W`, `#` and `L` in day-of-week are
refused with a clear error rather than guessed.

Like EventBridge Scheduler's `ScheduleExpressionTimezone`, a cron expression can be read in a named
IANA zone (`America/Los_Angeles`): `cron(0 9 * * ? *)` then fires at 9:00 local time all year,
across daylight-saving changes (EventBridge's classic rules are UTC only). A rate is a fixed
interval and does not depend on the zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from coinlake.errors import ConfigError

_RATE = re.compile(r"rate\(\s*(\d+)\s+([a-z]+)\s*\)")
_CRON = re.compile(r"cron\((.*)\)")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_FIELD = re.compile(r"^(\*|[0-9A-Z]+(-[0-9A-Z]+)?)(/\d+)?$")


class Schedule(Protocol):
    """When a job fires."""

    @property
    def expression(self) -> str:
        """The expression as written."""

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after `moment` (UTC)."""


@dataclass(frozen=True, slots=True)
class Rate:
    """`rate(N unit)`: every N units, counted from `anchor` (when the schedule started)."""

    expression: str
    every: timedelta
    anchor: datetime

    def next_after(self, moment: datetime) -> datetime:
        """See `Schedule.next_after`."""
        if moment < self.anchor:
            return self.anchor
        periods = (moment - self.anchor) // self.every + 1
        return self.anchor + periods * self.every


@dataclass(frozen=True, slots=True)
class Cron:
    """`cron(...)`: calendar firings, computed by APScheduler's `CronTrigger` in its time zone."""

    expression: str
    trigger: CronTrigger

    def next_after(self, moment: datetime) -> datetime:
        """See `Schedule.next_after`."""
        # CronTrigger gives the first firing at or after a moment; firings fall on whole minutes.
        probe = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        fired = self.trigger.get_next_fire_time(None, probe)
        if fired is None:
            raise ConfigError(f"{self.expression}: never fires after {moment:%Y-%m-%d %H:%M}")
        return fired.astimezone(UTC)  # type: ignore[no-any-return]


def time_zone(name: str) -> tzinfo:
    """The IANA time zone called `name` (`UTC`, `America/Los_Angeles`).

    Raises:
        ConfigError: no such zone.
    """
    if name.strip().upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"time zone {name!r} is not an IANA zone name like UTC or America/Los_Angeles"
        ) from exc


def parse_schedule(expression: str, *, anchor: datetime, timezone: tzinfo = UTC) -> Schedule:
    """A `rate(...)` or `cron(...)` expression as a `Schedule` (a rate counts from `anchor`).

    A cron expression's fields are read in `timezone` (UTC by default, as EventBridge rules);
    `next_after` always answers in UTC.

    Raises:
        ConfigError: not an EventBridge expression, or one this scheduler cannot honour.
    """
    text = expression.strip()
    if rate := _RATE.fullmatch(text):
        return _rate(text, int(rate.group(1)), rate.group(2), anchor)
    if cron := _CRON.fullmatch(text):
        return Cron(text, _cron_trigger(text, cron.group(1).split(), timezone))
    raise ConfigError(
        f"schedule {expression!r}: use rate(N minutes|hours|days) or cron(min hour dom month "
        "dow year), e.g. rate(5 minutes) or cron(0 17 * * ? *)"
    )


def _rate(text: str, value: int, unit: str, anchor: datetime) -> Rate:
    singular = unit.removesuffix("s")
    if singular not in _UNITS:
        raise ConfigError(f"{text}: the unit is minute(s), hour(s) or day(s), not {unit!r}")
    if value < 1:
        raise ConfigError(f"{text}: the rate must be at least 1")
    # EventBridge's own rule: 1 takes the singular, anything else the plural
    if (value == 1) != (unit == singular):
        wanted = singular if value == 1 else f"{singular}s"
        raise ConfigError(f"{text}: write rate({value} {wanted}) (EventBridge's spelling)")
    return Rate(text, timedelta(seconds=value * _UNITS[singular]), anchor)


def _cron_trigger(text: str, fields: list[str], timezone: tzinfo) -> CronTrigger:
    if len(fields) != 6:
        raise ConfigError(f"{text}: cron takes 6 fields (min hour dom month dow year)")
    minute, hour, dom, month, dow, year = (f.upper() for f in fields)
    if (dom == "?") == (dow == "?"):
        raise ConfigError(f"{text}: exactly one of day-of-month and day-of-week must be '?'")
    for name, value in (("minutes", minute), ("hours", hour), ("month", month), ("year", year)):
        _check_field(text, name, value)
    day = "*" if dom == "?" else _day_of_month(text, dom)
    day_of_week = "*" if dow == "?" else _day_of_week(text, dow)
    months = ",".join(_month(text, part) for part in month.split(","))
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=months,
            day_of_week=day_of_week,
            year=year,
            timezone=timezone,
        )
    except ValueError as exc:
        raise ConfigError(f"{text}: {exc}") from exc


def _check_field(text: str, name: str, value: str) -> None:
    for part in value.split(","):
        if not _FIELD.fullmatch(part):
            raise ConfigError(f"{text}: cannot read {name} field {value!r}")


def _day_of_month(text: str, value: str) -> str:
    if value == "L":
        return "last"
    if "W" in value or "#" in value:
        raise ConfigError(f"{text}: 'W' and '#' are not supported by the in-process scheduler")
    _check_field(text, "day-of-month", value)
    return value


def _day_of_week(text: str, value: str) -> str:
    if "L" in value.replace("SAT", "").replace("SUN", "") or "#" in value:
        raise ConfigError(f"{text}: 'L' and '#' in day-of-week are not supported in-process")
    _check_field(text, "day-of-week", value)
    return ",".join(_weekday_part(text, part) for part in value.split(","))


def _weekday_part(text: str, part: str) -> str:
    """EventBridge 1-7 (1 = Sunday) or SUN-SAT, as APScheduler's names (mon-sun)."""
    body, _, step = part.partition("/")
    names = "*" if body == "*" else "-".join(_weekday(text, end) for end in body.split("-"))
    return f"{names}/{step}" if step else names


def _weekday(text: str, value: str) -> str:
    if value.isdigit() and 1 <= int(value) <= 7:
        return _DAYS[int(value) - 1].lower()
    if value in _DAYS:
        return value.lower()
    raise ConfigError(f"{text}: day-of-week {value!r} is not 1-7 or SUN-SAT")


def _month(text: str, part: str) -> str:
    """JAN-DEC as numbers; numbers, `*` and steps as they are."""
    body, _, step = part.partition("/")
    ends = [str(_MONTHS.index(end) + 1) if end in _MONTHS else end for end in body.split("-")]
    for end in ends:
        if end != "*" and not (end.isdigit() and 1 <= int(end) <= 12):
            raise ConfigError(f"{text}: month {end!r} is not 1-12 or JAN-DEC")
    joined = "-".join(ends)
    return f"{joined}/{step}" if step else joined
