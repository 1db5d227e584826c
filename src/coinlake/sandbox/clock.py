"""The sandbox clock: frozen (moves only when a test says so) or real (wall time).

The market, the candles and both rate limiters read this clock, so a test can prove "429 exactly
past the limit" or "new trades appear after a minute" without sleeping. It satisfies the
`coinlake.domain.clock.Clock` protocol; `sleep` on a frozen clock advances it.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Literal

DEFAULT_START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
"""Where a frozen clock starts unless told otherwise (a fixed instant: same seed, same market)."""

ClockMode = Literal["real", "frozen"]


class SandboxClock:
    """Frozen or real time, with `advance` and `set` for tests. Thread-safe."""

    def __init__(self, mode: ClockMode = "frozen", start: datetime | None = None) -> None:
        if mode not in ("real", "frozen"):
            raise ValueError(f"clock must be 'real' or 'frozen', not {mode!r}")
        if start is not None and start.tzinfo is None:
            raise ValueError("the clock start must be timezone-aware")
        self.mode: ClockMode = mode
        self._lock = threading.Lock()
        if mode == "frozen":
            self._frozen = (start or DEFAULT_START).astimezone(UTC)
            self._offset = timedelta(0)
        else:
            self._frozen = DEFAULT_START
            real_now = datetime.now(UTC)
            self._offset = (start.astimezone(UTC) - real_now) if start else timedelta(0)
        self._origin_us = to_us(self.now())

    def now(self) -> datetime:
        """The sandbox's current time, tz-aware UTC with microseconds."""
        with self._lock:
            if self.mode == "frozen":
                return self._frozen
            return datetime.now(UTC) + self._offset

    def now_us(self) -> int:
        """`now()` as integer microseconds since the epoch."""
        return to_us(self.now())

    def monotonic(self) -> float:
        """Seconds since this clock was made (small, so float steps stay exact enough)."""
        return (self.now_us() - self._origin_us) / 1_000_000

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds` (also works on a real clock: it adds an offset)."""
        if seconds < 0:
            raise ValueError("time does not go backwards")
        with self._lock:
            if self.mode == "frozen":
                self._frozen += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)

    def set(self, when: datetime) -> None:
        """Jump to `when` (tz-aware). The market never removes trades that already landed."""
        if when.tzinfo is None:
            raise ValueError("set() needs a timezone-aware datetime")
        with self._lock:
            if self.mode == "frozen":
                self._frozen = when.astimezone(UTC)
            else:
                self._offset = when.astimezone(UTC) - datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Real sleep on a real clock; a frozen clock just advances."""
        if seconds <= 0:
            return
        if self.mode == "frozen":
            self.advance(seconds)
        else:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return f"SandboxClock(mode={self.mode!r}, now={self.now().isoformat()})"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(when: datetime) -> int:
    """Integer microseconds since the epoch of a tz-aware datetime (exact, no float)."""
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    """The tz-aware UTC datetime of integer microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=us)
