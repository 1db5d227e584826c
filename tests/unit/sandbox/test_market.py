import itertools
from datetime import timedelta

import pytest

from coinlake.sandbox import Market, SandboxClock
from coinlake.sandbox.catalog import CATALOG


def make(seed: int = 7, gaps=None, products=("BTC-USD", "ETH-USD", "SOL-USD")) -> Market:
    return Market(
        clock=SandboxClock("frozen"),
        seed=seed,
        products=products,
        history_days=0.05,
        trades_per_minute=20,
        gaps=gaps,
    )


def test_trade_ids_are_sequential_and_times_never_go_back():
    market = make()
    trades = market.trades("BTC-USD")
    assert trades[0].trade_id == market.first_trade_id("BTC-USD")
    assert [t.trade_id for t in trades] == list(range(trades[0].trade_id, trades[-1].trade_id + 1))
    assert all(a.time <= b.time for a, b in itertools.pairwise(trades))
    assert trades[-1].trade_id == market.newest_trade_id("BTC-USD")


def test_prices_sit_on_the_tick_and_sizes_on_eight_places():
    market = make()
    for product in market.products:
        tick = CATALOG[product].quote_increment
        for trade in market.trades(product)[:300]:
            assert trade.price % tick == 0 and trade.price > 0
            assert trade.size.as_tuple().exponent == -8 and trade.size > 0
            assert trade.side in ("buy", "sell")
            assert trade.time.tzinfo is not None


def test_same_seed_same_tape_and_another_seed_differs():
    a, b, c = make(7), make(7), make(8)
    assert a.trades("ETH-USD") == b.trades("ETH-USD")
    assert a.trades("ETH-USD") != c.trades("ETH-USD")


def test_trades_land_as_the_clock_advances():
    market = make()
    before = market.newest_trade_id("SOL-USD")
    market.clock.advance(600)
    after = market.newest_trade_id("SOL-USD")
    assert before is not None and after is not None and after > before
    assert market.trades("SOL-USD", start_id=before)[0].trade_id == before


def test_gaps_remove_exactly_the_configured_ids_and_nothing_else():
    first = CATALOG["BTC-USD"].first_trade_id
    plain = make()
    gapped = make(gaps={"BTC-USD": [(first + 10, first + 19)]})
    assert gapped.missing_ids("BTC-USD") == list(range(first + 10, first + 20))
    ids = [t.trade_id for t in gapped.trades("BTC-USD")]
    assert set(range(first + 10, first + 20)).isdisjoint(ids)
    expected = [t for t in plain.trades("BTC-USD") if not first + 10 <= t.trade_id <= first + 19]
    assert gapped.trades("BTC-USD") == expected


def test_trade_id_at_finds_the_first_trade_at_or_after_a_time():
    market = make()
    trades = market.trades("BTC-USD")
    target = trades[100].time
    found = market.trade_id_at("BTC-USD", target)
    assert found == min(t.trade_id for t in trades if t.time >= target)
    assert market.trade_id_at("BTC-USD", trades[-1].time + timedelta(seconds=1)) is None


def test_unknown_product_is_refused():
    with pytest.raises(ValueError, match="unknown product"):
        make(products=("NOPE-USD",))
