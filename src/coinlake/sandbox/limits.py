"""Server-side rate limiters, on the sandbox clock so tests are exact and never sleep.

- Coinbase Exchange public endpoints: 10 requests/second per IP, bursts up to 15
  (docs.cdp.coinbase.com/exchange/docs/rate-limits): a token bucket of 15 refilled at 10/s.
- CoinGecko: N calls per minute per key (keyless: per IP); every request counts, errors included
  (docs.coingecko.com/docs/errors-and-rate-limits). A sliding 60 s window: the (N+1)th call
  inside any 60 s is refused, with `Retry-After` = whole seconds until a slot frees.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable


class TokenBucket:
    """Per-key token buckets: `capacity` tokens, refilled at `rate_per_s`."""

    def __init__(self, rate_per_s: float, capacity: int, now: Callable[[], float]) -> None:
        if rate_per_s <= 0 or capacity < 1:
            raise ValueError("a token bucket needs a positive rate and capacity")
        self.rate_per_s = rate_per_s
        self.capacity = capacity
        self._now = now
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}

    def try_acquire(self, key: str) -> bool:
        """Take one token for `key`; False when the bucket is empty."""
        with self._lock:
            now = self._now()
            tokens, last = self._state.get(key, (float(self.capacity), now))
            tokens = min(float(self.capacity), tokens + max(0.0, now - last) * self.rate_per_s)
            if tokens >= 1.0 - 1e-9:
                self._state[key] = (tokens - 1.0, now)
                return True
            self._state[key] = (tokens, now)
            return False

    def reset(self) -> None:
        """Forget every key (full buckets)."""
        with self._lock:
            self._state.clear()


class SlidingWindow:
    """Per-key limit of `limit` calls in any `window_s` seconds."""

    def __init__(self, limit: int, now: Callable[[], float], window_s: float = 60.0) -> None:
        if limit < 1:
            raise ValueError("a call limit must be at least 1")
        self.limit = limit
        self.window_s = window_s
        self._now = now
        self._lock = threading.Lock()
        self._calls: dict[str, deque[float]] = {}

    def try_acquire(self, key: str) -> int | None:
        """Record a call; None when allowed, else the whole seconds to wait (>= 1)."""
        with self._lock:
            now = self._now()
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - self.window_s:
                calls.popleft()
            if len(calls) < self.limit:
                calls.append(now)
                return None
            return max(1, math.ceil(calls[0] + self.window_s - now))

    def reset(self) -> None:
        """Forget every call."""
        with self._lock:
            self._calls.clear()
