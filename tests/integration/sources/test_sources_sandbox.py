"""The real sources against the API sandbox: a real HTTP server on loopback.

The sources run on the sandbox's own clock, so rate-limit and retry sleeps advance the market's
time instead of waiting, and the server's limiter sees exactly the pacing the client chose.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from coinlake.config import Settings
from coinlake.domain.clock import SystemClock
from coinlake.errors import BadResponseError, SchemaDriftError
from coinlake.sources.coinbase.client import CoinbaseSource, TradesPage
from coinlake.sources.coinbase.parse import parse_trades
from coinlake.sources.coingecko.client import (
    CoinGeckoSource,
    parse_market_chart,
    parse_simple_price,
)
from coinlake.sources.idwalk import TradesWalk, WalkStop

pytestmark = pytest.mark.integration


@pytest.fixture
def sb(sandbox_factory: Any) -> Any:
    """A day of history at 60 trades/min, with the documented rate limits enforced."""
    return sandbox_factory(history_days=1.0, trades_per_minute=60.0, rate_limits=True)


def settings_for(sb: Any, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "coinbase_url": sb.coinbase_url,
        "coingecko_url": sb.coingecko_url,
        "http_timeout_s": 2.0,
        "retry_attempts": 5,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def coinbase(sb: Any) -> Iterator[CoinbaseSource]:
    with CoinbaseSource.from_settings(settings_for(sb), clock=sb.clock) as source:
        yield source


def ids_of(pages: list[TradesPage]) -> list[int]:
    return [trade.trade_id for page in pages if page.trades for trade in page.trades]


def test_walking_down_pages_gives_exactly_the_markets_trades(
    sb: Any, coinbase: CoinbaseSource
) -> None:
    product = sb.market.products[0]
    newest = sb.market.newest_trade_id(product)
    known = newest - 2_500
    walk = TradesWalk(stop_at_id=known)
    pages = list(coinbase.walk_trades(product, walk))
    assert walk.stopped is WalkStop.REACHED_KNOWN
    assert len(pages) == 3
    fetched = {trade.trade_id: trade for page in pages for trade in page.trades or ()}
    assert len(fetched) == len(ids_of(pages))  # no duplicates across pages
    expected = sb.market.trades(product, known + 1, newest)
    for trade in expected:
        got = fetched[trade.trade_id]
        assert (got.time, got.price, got.size, got.side) == (
            trade.time,
            trade.price,
            trade.size,
            trade.side,
        )
    above = {i for i in fetched if i > known}
    assert above == {t.trade_id for t in expected}
    assert all(page.raw.attempts == 1 for page in pages)  # the limiter kept us under 429


def test_a_run_after_downtime_fills_the_whole_gap(sb: Any, coinbase: CoinbaseSource) -> None:
    product = sb.market.products[0]
    first = TradesWalk(stop_at_id=sb.market.newest_trade_id(product) - 10)
    list(coinbase.walk_trades(product, first))
    cursor = first.checkpoint.new_cursor
    sb.clock.advance(3 * 3600)  # hours of downtime: several pages of new trades
    walk = TradesWalk(stop_at_id=cursor)
    pages = list(coinbase.walk_trades(product, walk))
    assert walk.reached
    assert len(pages) >= 3
    newest = sb.market.newest_trade_id(product)
    expected = {t.trade_id for t in sb.market.trades(product, cursor + 1, newest)}
    assert {i for i in ids_of(pages) if i > cursor} == expected
    assert walk.checkpoint.new_cursor == newest


def test_429_5xx_timeouts_and_resets_are_retried_to_success(sb: Any) -> None:
    product = sb.market.products[0]
    sb.faults.add("rate_limit", "coinbase.trades", calls=[1], retry_after=2)
    sb.faults.add("status", "coinbase.trades", calls=[2], status=503)
    sb.faults.add("html", "coinbase.trades", calls=[4])
    sb.faults.add("timeout", "coinbase.trades", calls=[5], seconds=1.5)
    sb.faults.add("reset", "coinbase.trades", calls=[7])
    settings = settings_for(sb, http_timeout_s=0.5)
    with CoinbaseSource.from_settings(settings, clock=sb.clock) as source:
        newest = sb.market.newest_trade_id(product)
        walk = TradesWalk(stop_at_id=newest - 2_500)
        pages = list(source.walk_trades(product, walk))
    assert [fault.kind for fault in sb.faults.fired] == [
        "rate_limit",
        "status",
        "html",
        "timeout",
        "reset",
    ]
    assert walk.reached
    expected = {t.trade_id for t in sb.market.trades(product, newest - 2_499, newest)}
    assert expected <= set(ids_of(pages))
    assert [page.raw.attempts for page in pages] == [3, 3, 2]


def test_truncated_json_is_a_bad_response_but_the_raw_body_is_kept(
    sb: Any, coinbase: CoinbaseSource
) -> None:
    product = sb.market.products[0]
    sb.faults.add("truncate", "coinbase.trades", calls=[1])
    raw = coinbase.fetch_trades_page(product, limit=10)
    assert raw.status == 200
    assert raw.body.startswith(b"[")
    with pytest.raises(BadResponseError, match="not valid JSON"):
        parse_trades(raw.body, product)

    sb.faults.add("truncate", "coinbase.trades", calls=[2])
    walk = TradesWalk(stop_at_id=sb.market.newest_trade_id(product) - 5)
    pages = list(coinbase.walk_trades(product, walk))
    assert pages[0].error is not None
    assert pages[0].trades is None
    assert pages[0].raw.body  # land it, flagged
    assert pages[1].trades
    assert walk.reached


def test_schema_drift_in_a_trade_names_the_field(sb: Any, coinbase: CoinbaseSource) -> None:
    product = sb.market.products[0]
    sb.faults.add("strings_as_numbers", "coinbase.trades", calls=[1])
    raw = coinbase.fetch_trades_page(product, limit=5)
    with pytest.raises(SchemaDriftError, match=r"trades\[0\]\.(size|price): expected a string"):
        parse_trades(raw.body, product)


def test_duplicated_and_shuffled_rows_do_not_break_the_walk(
    sb: Any, coinbase: CoinbaseSource
) -> None:
    product = sb.market.products[0]
    sb.faults.add("duplicate_trades", "coinbase.trades", calls=[1])
    sb.faults.add("out_of_order_trades", "coinbase.trades", calls=[2])
    newest = sb.market.newest_trade_id(product)
    walk = TradesWalk(stop_at_id=newest - 1_800)
    pages = list(coinbase.walk_trades(product, walk))
    expected = {t.trade_id for t in sb.market.trades(product, newest - 1_799, newest)}
    assert expected <= set(ids_of(pages))
    assert walk.reached


def test_the_id_search_matches_the_market_with_few_probes(
    sb: Any, coinbase: CoinbaseSource
) -> None:
    product = sb.market.products[0]
    now = sb.clock.now()
    for hours_back in (0.5, 7, 20):
        when = now - timedelta(hours=hours_back)
        before = sb.faults.calls("coinbase.trades")
        result = coinbase.find_trade_id_at(product, when)
        assert result.trade_id == sb.market.trade_id_at(product, when)
        assert result.probes == sb.faults.calls("coinbase.trades") - before
        assert result.probes <= 20


def test_a_backfill_lands_every_trade_of_the_range(sb: Any, coinbase: CoinbaseSource) -> None:
    product = sb.market.products[0]
    end = sb.clock.now() - timedelta(hours=2)
    start = end - timedelta(minutes=50)
    walk = coinbase.plan_backfill(product, start, end)
    pages = list(coinbase.walk_trades(product, walk))
    assert walk.reached
    in_range = sorted(
        trade.trade_id for page in pages for trade in page.trades or () if start <= trade.time < end
    )
    expected = [t.trade_id for t in sb.market.trades(product) if start <= t.time < end]
    assert in_range == expected


def test_candles_over_more_than_300_buckets_come_in_accepted_windows(
    sb: Any, coinbase: CoinbaseSource
) -> None:
    product = sb.market.products[0]
    end = sb.clock.now().replace(second=0, microsecond=0)
    start = end - timedelta(hours=10)
    pages = list(coinbase.iter_candles(product, start, end, 60))
    assert len(pages) == 2
    assert all(page.error is None for page in pages)
    starts = [c.start_at for page in pages for c in page.candles or ()]
    assert len(starts) == len(set(starts))
    assert all(start <= moment < end for moment in starts)
    assert len(starts) > 500
    candle = pages[0].candles[0] if pages[0].candles else None
    assert candle is not None
    assert isinstance(candle.close, Decimal)


def test_configured_products_exist_in_the_sandbox(sb: Any, coinbase: CoinbaseSource) -> None:
    products = coinbase.check_products(list(sb.market.products))
    assert [p.product_id for p in products] == list(sb.market.products)


def gecko_for(sb: Any) -> CoinGeckoSource:
    settings = settings_for(sb, coingecko_calls_per_minute=30)
    return CoinGeckoSource.from_settings(settings, clock=sb.clock)


def test_coingecko_snapshot_has_every_coin_and_currency_exactly(sb: Any) -> None:
    coins = list(sb.market.coins)
    with gecko_for(sb) as gecko:
        raw = gecko.fetch_simple_price(coins, ["usd", "eur"])
    snapshots = parse_simple_price(raw.body, vs_currencies=["usd", "eur"])
    assert {(s.coin_id, s.vs_currency) for s in snapshots} == {
        (coin, vs) for coin in coins for vs in ("usd", "eur")
    }
    for snapshot in snapshots:
        assert isinstance(snapshot.price, Decimal)
        expected = sb.market.price_at(snapshot.coin_id, snapshot.vs_currency, sb.clock.now())
        assert snapshot.price == expected


def test_coingecko_history_comes_in_one_ascending_chunk_per_90_days(sb: Any) -> None:
    coin = sb.market.coins[0]
    end = sb.clock.now()
    with gecko_for(sb) as gecko:
        pages = list(gecko.iter_market_chart_range(coin, "usd", end - timedelta(hours=20), end))
    assert len(pages) == 1
    assert pages[0].error is None
    points = parse_market_chart(pages[0].raw.body, coin, "usd")
    assert points == list(pages[0].points or ())
    assert len(points) > 10
    assert [p.at for p in points] == sorted(p.at for p in points)
    assert all(isinstance(p.price, Decimal) for p in points)


def test_coingecko_429_with_retry_after_is_honoured(sb: Any) -> None:
    sb.faults.add("rate_limit", "coingecko.market_chart_range", calls=[1], retry_after=3)
    coin = sb.market.coins[0]
    end = sb.clock.now()
    with gecko_for(sb) as gecko:
        raw = gecko.fetch_market_chart_range(coin, "usd", end - timedelta(hours=5), end)
    assert raw.attempts == 2
    assert sb.clock.now() - end >= timedelta(seconds=3)


def test_products_walked_in_parallel_share_one_limiter_and_get_no_429(
    sandbox_factory: Any,
) -> None:
    server = sandbox_factory(clock="real", rate_limits=True, trades_per_minute=60.0)
    settings = settings_for(server)
    results: dict[str, list[TradesPage]] = {}
    errors: list[BaseException] = []
    with CoinbaseSource.from_settings(settings, clock=SystemClock()) as source:

        def walk(product: str) -> None:
            try:
                newest = server.market.newest_trade_id(product)
                pages = source.walk_trades(
                    product, TradesWalk(stop_at_id=newest - 1_000, limit=100)
                )
                results[product] = list(pages)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=walk, args=(p,)) for p in server.market.products]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert set(results) == set(server.market.products)
    pages = [page for product_pages in results.values() for page in product_pages]
    assert len(pages) >= 30  # more than the burst: the shared bucket had to pace them
    assert all(page.raw.attempts == 1 for page in pages)
    for product, product_pages in results.items():
        ids = ids_of(product_pages)
        assert len(ids) == len(set(ids))
        assert all(page.product_id == product for page in product_pages)
