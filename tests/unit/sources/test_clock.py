from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coinlake.devtools.fake_clock import FakeClock
from coinlake.domain.clock import Clock, SystemClock


def test_fake_clock_moves_only_when_sleeping_or_advanced() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    clock = FakeClock(start)
    assert clock.now() == start
    clock.sleep(1.5)
    clock.advance(0.5)
    clock.sleep(-1)
    assert clock.now() == start + timedelta(seconds=2)
    assert clock.monotonic() == 1_002.0
    assert clock.sleeps == [1.5, -1]


def test_fake_clock_refuses_naive_starts_and_going_backwards() -> None:
    with pytest.raises(ValueError, match="timezone"):
        FakeClock(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="backwards"):
        FakeClock().advance(-1)


def test_system_clock_is_utc_and_monotonic() -> None:
    clock = SystemClock()
    assert isinstance(clock, Clock)
    assert isinstance(FakeClock(), Clock)
    assert clock.now().tzinfo is UTC
    first = clock.monotonic()
    clock.sleep(0)
    assert clock.monotonic() >= first
