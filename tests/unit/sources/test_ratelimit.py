from __future__ import annotations

import threading

import pytest

from coinlake.config import Settings
from coinlake.devtools.fake_clock import FakeClock
from coinlake.sources.coinbase.client import coinbase_limiter
from coinlake.sources.coingecko.client import coingecko_limiter
from coinlake.sources.ratelimit import TokenBucket


def test_the_burst_is_free_then_requests_are_spaced_at_the_rate(clock: FakeClock) -> None:
    bucket = TokenBucket(rate_per_s=10, burst=15, clock=clock)
    waits = [bucket.acquire() for _ in range(18)]
    assert waits[:15] == [0.0] * 15
    assert waits[15:] == [pytest.approx(0.1)] * 3
    assert clock.sleeps == [pytest.approx(0.1)] * 3
    assert bucket.total_wait_s == pytest.approx(0.3)


def test_idle_time_refills_up_to_the_burst_only(clock: FakeClock) -> None:
    bucket = TokenBucket(rate_per_s=10, burst=3, clock=clock)
    for _ in range(3):
        bucket.acquire()
    clock.advance(60)  # would be 600 tokens without the cap
    assert [bucket.acquire() for _ in range(4)] == [0.0, 0.0, 0.0, pytest.approx(0.1)]


def test_partial_refill_shortens_the_wait(clock: FakeClock) -> None:
    bucket = TokenBucket(rate_per_s=2, burst=1, clock=clock)
    bucket.acquire()
    clock.advance(0.2)
    assert bucket.acquire() == pytest.approx(0.3)


def test_concurrent_callers_reserve_distinct_slots(clock: FakeClock) -> None:
    bucket = TokenBucket(rate_per_s=10, burst=1, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        wait = bucket.reserve()
        with lock:
            waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # No time passed: each caller gets the next 0.1 s slot, none shares one.
    assert sorted(waits) == [pytest.approx(0.1 * n) for n in range(8)]


def test_settings_give_each_api_its_budget(clock: FakeClock) -> None:
    settings = Settings(coingecko_calls_per_minute=30)
    coinbase = coinbase_limiter(settings, clock)
    coingecko = coingecko_limiter(settings, clock)
    assert (coinbase.rate_per_s, coinbase.burst) == (pytest.approx(9.8), 14)
    assert (coingecko.rate_per_s, coingecko.burst) == (0.5, 1)
    assert [coingecko.acquire() for _ in range(3)] == [0.0, 2.0, 2.0]


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (1, 0)], ids=["zero-rate", "zero-burst"])
def test_invalid_buckets_are_rejected(clock: FakeClock, rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        TokenBucket(rate_per_s=rate, burst=burst, clock=clock)
