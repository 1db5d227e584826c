"""Parsing `--since`, `--from` and `--to`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coinlake.errors import ConfigError
from coinlake.ingest.since import parse_moment, parse_since


def test_a_date_is_its_midnight_or_the_next_one_for_an_inclusive_end() -> None:
    assert parse_moment("2026-01-31", "--from") == datetime(2026, 1, 31, tzinfo=UTC)
    assert parse_moment("2026-01-31", "--to", end_of_day=True) == datetime(2026, 2, 1, tzinfo=UTC)


def test_times_keep_microseconds_and_convert_to_utc() -> None:
    assert parse_moment("2026-01-31T12:00:00.123456Z", "--from") == datetime(
        2026, 1, 31, 12, 0, 0, 123456, tzinfo=UTC
    )
    assert parse_moment("2026-01-31T13:00:00+01:00", "--from") == datetime(
        2026, 1, 31, 12, tzinfo=UTC
    )
    assert parse_moment("2026-01-31T12:00", "--from") == datetime(2026, 1, 31, 12, tzinfo=UTC)


def test_since_is_a_trade_id_or_a_time() -> None:
    assert parse_since("874000123") == 874000123
    assert parse_since("2026-01-31") == datetime(2026, 1, 31, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "2026-02-30", "31/01/2026", ""])
def test_bad_values_name_the_flag(text: str) -> None:
    with pytest.raises(ConfigError, match="--from"):
        parse_moment(text, "--from")


def test_a_time_in_the_future_is_refused_naming_the_flag() -> None:
    from coinlake.ingest.since import check_not_future

    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    check_not_future(now, "--since", now)
    with pytest.raises(ConfigError, match=r"--from 2026-11-22T12:00:01Z is in the future"):
        check_not_future(now.replace(second=1), "--from", now)
