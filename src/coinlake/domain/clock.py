"""Time as a port: `Clock` gives wall time, monotonic time and sleep, so tests can fake all three.

`SystemClock` is the real one. `FakeClock` never blocks: `sleep` just moves its time forward and
records the requested delay, so tests can assert exact waits (rate limiter, retry backoff).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """What code needs to know about time."""

    def now(self) -> datetime:
        """The current wall-clock time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin that never goes backwards (for durations)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block for `seconds` (a fake clock just advances)."""
        ...


class SystemClock:
    """The real clock of the machine."""

    def now(self) -> datetime:
        """`datetime.now(UTC)`."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """`time.monotonic()`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """`time.sleep`, ignoring non-positive delays."""
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock for tests: time moves only when told to or when someone sleeps. Thread-safe."""

    def __init__(self, start: datetime | None = None, *, monotonic_start: float = 1_000.0) -> None:
        start = start or datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._lock = threading.Lock()
        self._now = start.astimezone(UTC)
        self._mono = monotonic_start
        self.sleeps: list[float] = []
        """Every delay passed to `sleep`, in call order."""

    def now(self) -> datetime:
        """The fake wall time."""
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        """The fake monotonic time."""
        with self._lock:
            return self._mono

    def sleep(self, seconds: float) -> None:
        """Record the delay and advance by it (negative delays are recorded, not applied)."""
        with self._lock:
            self.sleeps.append(seconds)
            if seconds > 0:
                self._advance(seconds)

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep."""
        if seconds < 0:
            raise ValueError("time does not go backwards")
        with self._lock:
            self._advance(seconds)

    def _advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now.isoformat()})"
