"""`FakeClock`: time that moves only when told to, for tests and tools (never in the Lambda
package: the runtime uses `coinlake.domain.clock.SystemClock`)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


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
