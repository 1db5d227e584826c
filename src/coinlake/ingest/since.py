"""Parsing the CLI's and the Lambda event's `--since`, `--from` and `--to` values (pure)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from coinlake.errors import ConfigError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_moment(text: str, flag: str, *, end_of_day: bool = False) -> datetime:
    """A UTC time from `2026-01-31` or an ISO time (`2026-01-31T12:00:00Z`; no zone = UTC).

    A bare date means its midnight, or the next midnight when `end_of_day` (an inclusive `--to`).

    Raises:
        ConfigError: the value is neither, naming `flag`.
    """
    value = text.strip()
    if _DATE.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise ConfigError(f"{flag} {text!r}: {exc}") from exc
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(days=1) if end_of_day else start
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(
            f"{flag} {text!r} is not a date or time like 2026-01-31 or 2026-01-31T12:00:00Z"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


MAX_ID_DIGITS = 19
"""Trade ids are BIGINTs in Silver: at most 19 digits."""


def parse_since(text: str) -> int | datetime:
    """`--since`: a trade id (digits, included) or a time.

    Raises:
        ConfigError: neither.
    """
    value = text.strip()
    if value.isascii() and value.isdigit():
        if len(value) > MAX_ID_DIGITS:
            raise ConfigError(
                f"--since {value[:20]}...: a trade id has at most {MAX_ID_DIGITS} digits"
            )
        return int(value)
    return parse_moment(value, "--since")


def check_not_future(moment: datetime, flag: str, now: datetime) -> None:
    """A `--since`/`--from` time must not be after `now` (nothing can be landed from there yet,
    and a cursor set "since the future" would take the trades before it).

    Raises:
        ConfigError: `moment` is in the future, naming `flag`.
    """
    if moment > now:
        raise ConfigError(
            f"{flag} {moment:%Y-%m-%dT%H:%M:%SZ} is in the future: nothing to land from there yet"
        )
