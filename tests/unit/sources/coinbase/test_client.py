from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from coinlake.config import Settings
from coinlake.devtools.fake_clock import FakeClock
from coinlake.errors import BadResponseError, ConfigError
from coinlake.sources.coinbase.client import CoinbaseSource, TradesPage, candle_windows
from coinlake.sources.idwalk import TradesWalk, WalkStop
from tests.unit.sources.fake_coinbase import FakeCoinbase


def source_for(fake: FakeCoinbase, clock: FakeClock, **settings: object) -> CoinbaseSource:
    return CoinbaseSource.from_settings(
        Settings(coinbase_url="https://cb.test", **settings),  # type: ignore[arg-type]
        clock=clock,
        transport=httpx.MockTransport(fake),
    )


def landed_ids(pages: list[TradesPage]) -> list[int]:
    return [trade.trade_id for page in pages if page.trades for trade in page.trades]


def test_a_run_after_downtime_fills_the_whole_gap_across_pages(clock: FakeClock) -> None:
    fake = FakeCoinbase(1_000)
    source = source_for(fake, clock)
    first = list(source.walk_trades("BTC-USD", TradesWalk(stop_at_id=None, limit=300)))
    assert sorted(landed_ids(first)) == list(range(1, 1001))
    cursor = max(landed_ids(first))

    fake.add(2_345)  # the market moves on while we are down
    walk = TradesWalk(stop_at_id=cursor, limit=1000)
    pages = list(source.walk_trades("BTC-USD", walk))
    ids = landed_ids(pages)
    assert [params.get("after") for params in fake.trade_requests()[-3:]] == [None, "2346", "1346"]
    assert set(range(cursor + 1, 3346)) <= set(ids)
    assert len(ids) == len(set(ids))  # no page fetched twice
    assert walk.stopped is WalkStop.REACHED_KNOWN
    assert walk.checkpoint.new_cursor == 3345
    assert all(page.raw.status == 200 and page.error is None for page in pages)


def test_pages_carry_raw_bodies_and_request_info_for_landing(clock: FakeClock) -> None:
    fake = FakeCoinbase(10)
    page = next(iter(source_for(fake, clock).walk_trades("BTC-USD", TradesWalk(stop_at_id=5))))
    assert page.raw.body.startswith(b'[{"time"')
    assert page.raw.request.url == "https://cb.test/products/BTC-USD/trades"
    assert page.raw.request.params == {"limit": "1000"}
    assert page.raw.kept_headers() == {
        "cb-before": "10",
        "cb-after": "1",
        "content-type": "application/json",
    }


def test_an_unparseable_page_is_yielded_for_landing_then_refetched(clock: FakeClock) -> None:
    fake = FakeCoinbase(50)
    fake.corrupt_next = 1
    pages = list(source_for(fake, clock).walk_trades("BTC-USD", TradesWalk(stop_at_id=None)))
    assert pages[0].trades is None
    assert isinstance(pages[0].error, BadResponseError)
    assert pages[0].raw.body == pages[1].raw.body[: len(pages[1].raw.body) // 2]
    assert landed_ids(pages) == list(range(50, 0, -1))


def test_a_page_that_never_parses_raises_after_landing_each_copy(clock: FakeClock) -> None:
    fake = FakeCoinbase(50)
    fake.corrupt_next = 99
    seen: list[TradesPage] = []
    with pytest.raises(BadResponseError, match="not valid JSON"):
        seen.extend(
            source_for(fake, clock).walk_trades(
                "BTC-USD", TradesWalk(stop_at_id=None), bad_page_retries=2
            )
        )
    assert len(seen) == 3
    assert all(page.error is not None for page in seen)


def test_an_unknown_product_is_a_404_bad_response(clock: FakeClock) -> None:
    with pytest.raises(BadResponseError, match="HTTP 404: NotFound") as caught:
        source_for(FakeCoinbase(5), clock).fetch_trades_page("NOPE-USD")
    assert caught.value.status == 404


def test_the_rate_limit_from_settings_spaces_requests(clock: FakeClock) -> None:
    fake = FakeCoinbase(40)
    source = source_for(fake, clock, coinbase_requests_per_second=5, coinbase_burst=2)
    list(source.walk_trades("BTC-USD", TradesWalk(stop_at_id=None, limit=10)))
    assert len(fake.requests) == 4
    # Burst 2 - 1 token of headroom; 5/s * 0.98 = 4.9/s.
    assert clock.sleeps == [pytest.approx(1 / 4.9)] * 3


def test_backfill_finds_the_start_id_with_few_probes_and_walks_to_it(clock: FakeClock) -> None:
    fake = FakeCoinbase(100_000, first_id=5_000_001)
    source = source_for(fake, clock)
    start = fake.time_of(5_012_345)
    end = fake.time_of(5_014_000)
    walk = source.plan_backfill("BTC-USD", start, end)
    probes = len(fake.requests)
    assert probes <= 20
    assert (walk.stop_at_id, walk.next_after) == (5_012_344, 5_014_000)
    pages = list(source.walk_trades("BTC-USD", walk))
    ids = landed_ids(pages)
    in_range = [i for i in ids if start <= fake.time_of(i) < end]
    assert sorted(in_range) == list(range(5_012_345, 5_014_000))
    assert len(pages) == 2


def test_backfill_rejects_an_empty_range(clock: FakeClock) -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ConfigError, match="empty"):
        source_for(FakeCoinbase(1), clock).plan_backfill("BTC-USD", moment, moment)


def test_configured_products_are_checked_against_the_exchange(clock: FakeClock) -> None:
    source = source_for(FakeCoinbase(1), clock)
    assert [p.product_id for p in source.check_products(["BTC-USD"])] == ["BTC-USD"]
    with pytest.raises(ConfigError, match="unknown Coinbase product 'DOGE-EUR'"):
        source.check_products(["BTC-USD", "DOGE-EUR"])
    with pytest.raises(ConfigError, match="'OLD-USD' is not trading"):
        source.check_products(["OLD-USD"])


def test_candle_windows_hold_at_most_300_aligned_buckets() -> None:
    start = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    windows = candle_windows(start, start + timedelta(days=30), 3600)
    assert windows[0][0] == datetime(2026, 1, 1, tzinfo=UTC)
    assert all((end - begin) <= timedelta(hours=300) for begin, end in windows)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert windows[-1][1] == start + timedelta(days=30)
    assert len(windows) == 3
    with pytest.raises(ConfigError, match="granularity 120s"):
        candle_windows(start, start + timedelta(days=1), 120)


def test_candles_are_requested_window_by_window(clock: FakeClock) -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if len(requests) == 2:
            return httpx.Response(200, content=b"[[1, 2")
        return httpx.Response(200, json=[[1767225600, 1, 2, 3, 4, 5]])

    source = CoinbaseSource.from_settings(
        Settings(), clock=clock, transport=httpx.MockTransport(handler)
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    pages = list(source.iter_candles("BTC-USD", start, start + timedelta(minutes=700), 60))
    assert dict(requests[0].url.params) == {
        "granularity": "60",
        "start": "2026-01-01T00:00:00Z",
        "end": "2026-01-01T05:00:00Z",
    }
    assert len(pages) == 3
    assert pages[1].candles is None
    assert pages[1].error is not None
    assert pages[2].candles is not None
    assert pages[2].candles[0].close == 4
