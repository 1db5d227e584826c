"""Time as a port: `Clock` gives wall time, monotonic time and sleep, so tests can fake all three.

`SystemClock` is the real one. `FakeClock` (`coinlake.devtools.fake_clock`, a test tool) never
blocks: `sleep` just moves its time forward and records the requested delay, so tests can assert
exact waits (rate limiter, retry backoff).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
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
