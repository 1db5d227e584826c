"""The one retry policy of coinlake's HTTP sources, built on tenacity.

Retried: 429 (`RateLimitedError`), 5xx, timeouts and dropped connections
(`UpstreamUnavailableError`) - the `TransientError`s a source raises. Never retried: other 4xx
and bodies we cannot use (`BadResponseError`), because asking again gives the same answer, nor a
connection that cannot be made at all (`UnreachableError`: refused, unknown host, or a connect
timeout before the host ever answered): a run against a wrong port or without network fails in
seconds with one line instead of minutes of backoff, product after product.

Delay after failed attempt n (1-based): the server's `Retry-After` when it sent one (CoinGecko
does, e.g. 119 s; Coinbase documents none), otherwise "equal jitter" exponential backoff:
`e = min(cap, base * 2**(n-1))`, delay = `e/2 + random() * e/2`. Half the delay is fixed so a
retry never comes back instantly, the other half spreads clients apart. The policy stops after
`attempts` attempts, or earlier when sleeping again would cross the total `deadline_s`; it then
re-raises the last error. `sleep`, `random` and `monotonic` are injected so tests assert exact
delays without waiting.
"""

from __future__ import annotations

import logging
import random as _random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception

from coinlake.errors import RateLimitedError, SourceError, TransientError

if TYPE_CHECKING:
    from coinlake.config import Settings
    from coinlake.domain.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")


def is_retryable(error: BaseException) -> bool:
    """True for the source errors a later attempt may cure (429, 5xx, timeouts, connections)."""
    return isinstance(error, SourceError) and isinstance(error, TransientError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter that honours `Retry-After`."""

    attempts: int = 6
    """Attempts in total, the first included."""
    deadline_s: float = 120.0
    """Total budget from the first attempt: no sleep may end after it."""
    base_s: float = 0.5
    """Backoff scale: the first retry waits between base/2 and base."""
    cap_s: float = 30.0
    """Largest backoff (Retry-After is honoured even when larger, deadline permitting)."""
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    """How to wait (a `FakeClock.sleep` in tests)."""
    random: Callable[[], float] = field(default=_random.random, repr=False)
    """Uniform [0, 1) source for the jitter."""
    monotonic: Callable[[], float] = field(default=time.monotonic, repr=False)
    """Clock for the deadline."""

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be >= 1")
        if self.deadline_s <= 0 or self.base_s < 0 or self.cap_s < 0:
            raise ValueError("deadline must be positive, base and cap non-negative")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        clock: Clock,
        *,
        random: Callable[[], float] = _random.random,
    ) -> RetryPolicy:
        """The policy configured by `retry_attempts` and `retry_deadline_s`, on `clock`."""
        return cls(
            attempts=settings.retry_attempts,
            deadline_s=settings.retry_deadline_s,
            sleep=clock.sleep,
            random=random,
            monotonic=clock.monotonic,
        )

    def delay_after(self, attempt: int, error: BaseException) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based) raised `error`."""
        if isinstance(error, RateLimitedError) and error.retry_after_s is not None:
            return max(0.0, error.retry_after_s)
        exponential = min(self.cap_s, self.base_s * 2.0 ** (attempt - 1))
        return exponential / 2 + self.random() * exponential / 2

    def call(self, fn: Callable[[int], T], *, what: str = "request") -> T:
        """Run `fn(attempt_number)` until it returns, retrying transient source errors.

        Raises:
            The last error when it is not retryable, attempts run out or the deadline is near.
        """
        started = self.monotonic()

        def wait(state: RetryCallState) -> float:
            error = _failure(state)
            return self.delay_after(state.attempt_number, error) if error else 0.0

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number >= self.attempts:
                return True
            elapsed = self.monotonic() - started
            return elapsed + state.upcoming_sleep > self.deadline_s

        def before_sleep(state: RetryCallState) -> None:
            log.warning(
                "%s failed on attempt %d/%d (%s); retrying in %.3fs",
                what,
                state.attempt_number,
                self.attempts,
                _failure(state),
                state.upcoming_sleep,
            )

        retrying = Retrying(
            retry=retry_if_exception(is_retryable),
            wait=wait,
            stop=stop,
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        attempt = 0

        def attempt_once() -> T:
            nonlocal attempt
            attempt += 1
            return fn(attempt)

        return retrying(attempt_once)


def _failure(state: RetryCallState) -> BaseException | None:
    if state.outcome is None or not state.outcome.failed:
        return None
    return state.outcome.exception()
