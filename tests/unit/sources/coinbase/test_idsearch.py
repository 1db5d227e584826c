from __future__ import annotations

import bisect
import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from coinlake.sources.idsearch import first_trade_id_at

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Market:
    """Trade ids first_id.. with given times; probes like `after=<id+1>&limit=1`."""

    def __init__(self, times: list[datetime], first_id: int = 1) -> None:
        self.times = times
        self.first_id = first_id
        self.calls = 0

    def probe(self, trade_id: int | None) -> tuple[int, datetime] | None:
        self.calls += 1
        if not self.times:
            return None
        last = self.first_id + len(self.times) - 1
        chosen = last if trade_id is None else min(trade_id, last)
        if chosen < self.first_id:
            return None
        return chosen, self.times[chosen - self.first_id]

    def expected(self, target: datetime) -> int:
        return self.first_id + bisect.bisect_left(self.times, target)


def poisson_times(count: int, seed: int, rate_per_s: float = 10.0) -> list[datetime]:
    rng = random.Random(seed)
    elapsed, times = 0.0, []
    for _ in range(count):
        elapsed += rng.expovariate(rate_per_s)
        times.append(T0 + timedelta(seconds=elapsed))
    return times


@pytest.fixture(scope="module")
def million() -> Market:
    return Market(poisson_times(1_000_000, seed=7), first_id=874_000_000)


def test_search_over_a_million_ids_is_exact_and_takes_few_probes(million: Market) -> None:
    rng = random.Random(3)
    span = (million.times[-1] - T0).total_seconds()
    probes = []
    for _ in range(60):
        target = T0 + timedelta(seconds=rng.uniform(0, span))
        result = first_trade_id_at(target, million.probe)
        assert result.trade_id == million.expected(target)
        probes.append(result.probes)
    # Bisection alone would need ~20 probes plus the bracket search; see idsearch's docstring.
    assert sum(probes) / len(probes) <= 12
    assert max(probes) <= 2 * math.ceil(math.log2(1_000_000))


def test_probe_count_is_what_the_search_actually_asked(million: Market) -> None:
    million.calls = 0
    result = first_trade_id_at(million.times[500_000], million.probe)
    assert result.probes == million.calls
    assert result.trade_id == 874_500_000
    assert result.newest_id == 874_999_999


def test_ties_resolve_to_the_first_trade_at_that_time() -> None:
    times = [T0] * 5 + [T0 + timedelta(seconds=1)] * 5000 + [T0 + timedelta(seconds=2)] * 5
    market = Market(times)
    assert first_trade_id_at(T0 + timedelta(seconds=1), market.probe).trade_id == 6
    assert first_trade_id_at(T0 + timedelta(milliseconds=1), market.probe).trade_id == 6
    assert first_trade_id_at(T0 + timedelta(seconds=2), market.probe).trade_id == 5006


def test_a_time_before_history_gives_the_first_trade() -> None:
    market = Market(poisson_times(50_000, seed=1), first_id=1_000)
    result = first_trade_id_at(T0 - timedelta(days=365), market.probe)
    assert result.trade_id == 1_000
    assert result.probes <= 25


def test_a_time_after_the_newest_trade_gives_the_next_id_in_one_probe() -> None:
    market = Market(poisson_times(100, seed=1))
    result = first_trade_id_at(market.times[-1] + timedelta(microseconds=1), market.probe)
    assert (result.trade_id, result.probes) == (101, 1)


def test_a_product_without_trades_gives_none() -> None:
    result = first_trade_id_at(T0, Market([]).probe)
    assert (result.trade_id, result.newest_id, result.probes) == (None, None, 1)


def test_holes_in_the_ids_still_give_the_first_existing_trade_at_the_time() -> None:
    times = {i: T0 + timedelta(seconds=i) for i in range(1, 5000) if i % 7}

    def probe(trade_id: int | None) -> tuple[int, datetime] | None:
        ids = [i for i in times if trade_id is None or i <= trade_id]
        return (max(ids), times[max(ids)]) if ids else None

    assert first_trade_id_at(T0 + timedelta(seconds=700), probe).trade_id == 701
    assert first_trade_id_at(T0 + timedelta(seconds=701), probe).trade_id == 701


def test_naive_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        first_trade_id_at(datetime(2026, 1, 1), Market([]).probe)
