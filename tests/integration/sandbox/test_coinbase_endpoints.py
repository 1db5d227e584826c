import hashlib
import json
from decimal import Decimal

import httpx
import pytest

pytestmark = pytest.mark.integration

PRODUCT_FIELDS = {
    "id", "base_currency", "quote_currency", "quote_increment", "base_increment",
    "display_name", "min_market_funds", "margin_enabled", "post_only", "limit_only",
    "cancel_only", "status",
    "status_message", "trading_disabled", "fx_stablecoin", "max_slippage_percentage",
    "auction_mode",
}  # fmt: skip


def get(server, path, **params):
    return httpx.get(server.coinbase_url + path, params=params, timeout=10)


def test_products_and_one_product_have_every_documented_field(sandbox):
    products = get(sandbox, "/products").json()
    assert [p["id"] for p in products] == ["BTC-USD", "ETH-USD", "SOL-USD"]
    assert all(set(p) == PRODUCT_FIELDS for p in products)
    btc = get(sandbox, "/products/BTC-USD").json()
    assert btc["quote_increment"] == "0.01" and btc["base_increment"] == "0.00000001"


def test_unknown_product_is_404_not_found(sandbox):
    for path in ("/products/NOPE-USD", "/products/NOPE-USD/trades", "/products/NOPE-USD/candles"):
        response = get(sandbox, path)
        assert (response.status_code, response.json()) == (404, {"message": "NotFound"})


def test_first_page_is_the_newest_trades_newest_first_with_cursor_headers(sandbox):
    response = get(sandbox, "/products/BTC-USD/trades", limit=50)
    rows = response.json(parse_float=Decimal)
    ids = [r["trade_id"] for r in rows]
    newest = sandbox.market.newest_trade_id("BTC-USD")
    assert ids == list(range(newest, newest - 50, -1))
    assert response.headers["CB-BEFORE"] == str(ids[0])
    assert response.headers["CB-AFTER"] == str(ids[-1])
    assert set(rows[0]) == {"time", "trade_id", "price", "size", "side"}
    assert isinstance(rows[0]["price"], str) and isinstance(rows[0]["size"], str)
    assert rows[0]["time"].endswith("Z") and len(rows[0]["time"]) == len(
        "2026-11-22T10:00:00.123456Z"
    )
    truth = sandbox.market.trades("BTC-USD", start_id=ids[-1])
    assert [t.to_coinbase() for t in reversed(truth)] == rows


def test_walking_down_with_after_reaches_the_first_trade_then_an_empty_page(sandbox):
    seen, after = [], None
    while True:
        params = {"limit": 1000} | ({"after": after} if after else {})
        response = get(sandbox, "/products/ETH-USD/trades", **params)
        rows = response.json()
        if not rows:
            assert "CB-AFTER" not in response.headers
            break
        seen += [r["trade_id"] for r in rows]
        after = response.headers["CB-AFTER"]
    first = sandbox.market.first_trade_id("ETH-USD")
    assert seen == list(range(sandbox.market.newest_trade_id("ETH-USD"), first - 1, -1))
    assert len(rows) == 0 and get(sandbox, "/products/ETH-USD/trades", after=1).json() == []


def test_before_returns_the_newer_page_and_nothing_past_the_newest(sandbox):
    newest = sandbox.market.newest_trade_id("SOL-USD")
    rows = get(sandbox, "/products/SOL-USD/trades", before=newest - 30, limit=10).json()
    assert [r["trade_id"] for r in rows] == list(range(newest - 20, newest - 30, -1))
    assert get(sandbox, "/products/SOL-USD/trades", before=newest).json() == []
    sandbox.clock.advance(120)
    newer = get(sandbox, "/products/SOL-USD/trades", before=newest).json()
    assert newer and min(r["trade_id"] for r in newer) == newest + 1


@pytest.mark.parametrize("limit", ["0", "1001", "abc"])
def test_a_bad_limit_is_400_with_a_message(sandbox, limit):
    response = get(sandbox, "/products/BTC-USD/trades", limit=limit)
    assert response.status_code == 400 and "message" in response.json()


def test_candles_are_newest_first_consistent_with_trades_and_skip_empty_buckets(sandbox):
    rows = get(sandbox, "/products/BTC-USD/candles", granularity=300).json(parse_float=Decimal)
    times = [r[0] for r in rows]
    assert times == sorted(times, reverse=True) and all(t % 300 == 0 for t in times)
    time_, low, high, open_, close, volume = rows[1]
    trades = [
        t for t in sandbox.market.trades("BTC-USD") if time_ <= t.time.timestamp() < time_ + 300
    ]
    assert (low, high) == (min(t.price for t in trades), max(t.price for t in trades))
    assert (open_, close) == (trades[0].price, trades[-1].price)
    assert volume == sum(t.size for t in trades)


def test_candles_beyond_300_buckets_are_refused_with_the_real_message(sandbox):
    response = get(
        sandbox,
        "/products/BTC-USD/candles",
        granularity=60,
        start="2026-11-22T00:00:00Z",
        end="2026-11-22T06:00:00Z",
    )
    assert response.status_code == 400
    assert "exceeds 300" in response.json()["message"]
    assert get(sandbox, "/products/BTC-USD/candles", granularity=120).status_code == 400


def test_a_quiet_market_has_gaps_in_its_candles(sandbox_factory):
    server = sandbox_factory(trades_per_minute=0.05, history_days=0.5)
    rows = get(server, "/products/BTC-USD/candles", granularity=60).json()
    assert 0 < len(rows) < 300


def test_ticker_and_stats_match_the_last_trade(sandbox):
    last = sandbox.market.last_trade("ETH-USD")
    ticker = get(sandbox, "/products/ETH-USD/ticker").json()
    assert set(ticker) == {"ask", "bid", "volume", "trade_id", "price", "size", "time"}
    assert (ticker["trade_id"], ticker["price"]) == (last.trade_id, format(last.price, "f"))
    assert Decimal(ticker["bid"]) < Decimal(ticker["price"]) < Decimal(ticker["ask"])
    stats = get(sandbox, "/products/ETH-USD/stats").json()
    assert set(stats) == {"open", "high", "low", "last", "volume", "volume_30day"}
    trades = sandbox.market.trades("ETH-USD")
    assert Decimal(stats["volume"]) == sum(t.size for t in trades)
    assert Decimal(stats["high"]) == max(t.price for t in trades)


def _digest(server) -> str:
    h = hashlib.sha256()
    for product in ("BTC-USD", "ETH-USD", "SOL-USD"):
        h.update(get(server, f"/products/{product}/trades", limit=1000).content)
    h.update(
        httpx.get(
            server.coingecko_url + "/simple/price",
            params={"ids": "bitcoin,solana", "vs_currencies": "usd,eur"},
        ).content
    )
    return h.hexdigest()


def test_same_seed_gives_the_same_market_and_another_seed_does_not(sandbox_factory):
    a, b, c = sandbox_factory(seed=11), sandbox_factory(seed=11), sandbox_factory(seed=12)
    assert _digest(a) == _digest(b) != _digest(c)
    assert json.loads(get(a, "/products/BTC-USD/trades", limit=1).content)[0]["trade_id"] > 0


def test_gap_mode_hides_the_missing_ids_from_the_api(sandbox_factory):
    server = sandbox_factory(gaps={"BTC-USD": [(874_000_100, 874_000_149)]})
    ids = {r["trade_id"] for r in get(server, "/products/BTC-USD/trades", after=874_000_200).json()}
    assert server.market.missing_ids("BTC-USD") == list(range(874_000_100, 874_000_150))
    assert ids == set(range(874_000_000, 874_000_200)) - set(range(874_000_100, 874_000_150))
