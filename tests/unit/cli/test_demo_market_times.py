"""Where the demo's market clock goes on each run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coinlake.cli.demo import MAX_CATCH_UP, market_times

WALL = datetime(2026, 11, 29, 1, 27, 41, 123456, tzinfo=UTC)
STEP = timedelta(minutes=5)


def test_a_first_run_starts_the_market_at_the_current_minute() -> None:
    assert market_times(None, STEP, WALL) == (WALL.replace(second=0, microsecond=0), None)


def test_a_later_run_keeps_the_origin_and_catches_up_with_the_wall_clock() -> None:
    origin = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    last = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    assert market_times((origin, last), STEP, WALL) == (
        origin,
        datetime(2026, 11, 29, 1, 27, tzinfo=UTC),
    )


def test_a_run_right_after_the_last_still_moves_the_market_a_step() -> None:
    origin = last = datetime(2026, 11, 29, 1, 27, 30, tzinfo=UTC)
    assert market_times((origin, last), STEP, WALL) == (origin, last + STEP)


def test_one_run_catches_up_at_most_a_day() -> None:
    origin = last = datetime(2026, 11, 1, tzinfo=UTC)
    assert market_times((origin, last), STEP, WALL) == (origin, last + MAX_CATCH_UP)
