import itertools
import json
import socket
import threading
import time
from decimal import Decimal

import httpx
import pytest

pytestmark = pytest.mark.integration


def cg(server, path, headers=None, **params):
    return httpx.get(server.coingecko_url + path, params=params, headers=headers, timeout=10)


def test_ping(sandbox):
    assert cg(sandbox, "/ping").json() == {"gecko_says": "(V3) To the Moon!"}


def test_simple_price_has_only_the_requested_keys_as_numbers(sandbox):
    body = cg(
        sandbox,
        "/simple/price",
        ids="bitcoin,nope",
        vs_currencies="usd,eur",
        include_market_cap="true",
        include_last_updated_at="true",
    ).json(parse_float=Decimal)
    assert set(body) == {"bitcoin"}
    assert set(body["bitcoin"]) == {
        "usd",
        "usd_market_cap",
        "eur",
        "eur_market_cap",
        "last_updated_at",
    }
    assert body["bitcoin"]["usd"] == sandbox.market.last_trade("BTC-USD").price
    assert isinstance(body["bitcoin"]["last_updated_at"], int)
    assert cg(sandbox, "/simple/price", ids="nope", vs_currencies="usd").json() == {}
    assert cg(sandbox, "/simple/price", ids="bitcoin").status_code == 400


def test_markets_and_charts_and_ohlc_shapes(sandbox):
    rows = cg(sandbox, "/coins/markets", vs_currency="usd").json()
    assert [r["market_cap_rank"] for r in rows] == [1, 2, 3]
    assert {"id", "symbol", "current_price", "total_volume", "last_updated"} <= set(rows[0])
    chart = cg(sandbox, "/coins/ethereum/market_chart", vs_currency="usd", days="1").json()
    assert set(chart) == {"prices", "market_caps", "total_volumes"}
    stamps = [p[0] for p in chart["prices"]]
    assert stamps == sorted(stamps) and stamps[-1] == int(sandbox.clock.now().timestamp()) * 1000
    assert all(b - a == 300_000 for a, b in itertools.pairwise(stamps[:-1]))
    now = int(sandbox.clock.now().timestamp())
    ranged = cg(
        sandbox,
        "/coins/solana/market_chart/range",
        vs_currency="eur",
        **{"from": now - 3 * 86_400, "to": now},
    ).json()
    hourly = [p[0] for p in ranged["prices"]]
    assert hourly and all(t % 3_600_000 == 0 for t in hourly)
    ohlc = cg(sandbox, "/coins/bitcoin/ohlc", vs_currency="usd", days="1").json()
    assert all(len(r) == 5 and r[0] % 1_800_000 == 0 for r in ohlc)


def test_unknown_coin_bad_params_and_the_365_day_limit(sandbox):
    assert cg(sandbox, "/coins/nope/market_chart", vs_currency="usd", days="1").json() == {
        "error": "coin not found"
    }
    assert cg(sandbox, "/coins/bitcoin/ohlc", vs_currency="usd", days="3").status_code == 400
    too_old = cg(sandbox, "/coins/bitcoin/market_chart", vs_currency="usd", days="max")
    assert too_old.status_code == 401
    assert too_old.json()["error"]["status"]["error_code"] == 10012
    pro = httpx.get(
        sandbox.coingecko_pro_url + "/coins/bitcoin/market_chart",
        params={"vs_currency": "usd", "days": "max"},
        headers={"x-cg-pro-api-key": "k"},
    )
    assert pro.status_code == 200


def test_keys_on_the_wrong_host_get_10010_and_10011(sandbox):
    wrong_pro = cg(sandbox, "/ping", headers={"x-cg-pro-api-key": "k"})
    assert wrong_pro.json()["status"]["error_code"] == 10010
    wrong_demo = httpx.get(sandbox.coingecko_pro_url + "/ping", params={"x_cg_demo_api_key": "k"})
    assert wrong_demo.json()["status"]["error_code"] == 10011
    assert cg(sandbox, "/ping", headers={"x-cg-demo-api-key": "k"}).status_code == 200


def test_coinbase_limit_is_429_exactly_past_the_burst(sandbox_factory):
    server = sandbox_factory(rate_limits=True)
    with httpx.Client() as client:
        codes = [client.get(server.coinbase_url + "/products").status_code for _ in range(16)]
        assert codes == [200] * 15 + [429]
        denied = client.get(server.coinbase_url + "/products")
        assert denied.json() == {"message": "Public rate limit exceeded"}
        assert "retry-after" not in denied.headers
        server.clock.advance(0.1)
        assert client.get(server.coinbase_url + "/products").status_code == 200


def test_coingecko_limit_is_429_exactly_past_the_minute_budget(sandbox_factory):
    server = sandbox_factory(rate_limits=True, coingecko_calls_per_minute=5)
    with httpx.Client() as client:
        codes = [client.get(server.coingecko_url + "/ping").status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        denied = client.get(server.coingecko_url + "/ping")
        assert denied.json()["status"]["error_code"] == 429
        assert denied.headers["Retry-After"] == "60"
        server.clock.advance(60)
        assert client.get(server.coingecko_url + "/ping").status_code == 200


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_status_faults_on_the_scripted_call(sandbox, status):
    sandbox.faults.add("status", "coinbase.trades", status=status, calls=[2])
    url = sandbox.coinbase_url + "/products/BTC-USD/trades"
    codes = [httpx.get(url, params={"limit": 5}).status_code for _ in range(3)]
    assert codes == [200, status, 200]


def test_rate_limit_faults_with_and_without_retry_after(sandbox):
    sandbox.faults.add("rate_limit", "coingecko.ping", retry_after=7, calls=[1])
    sandbox.faults.add("rate_limit", "coinbase.products", calls=[1])
    first = cg(sandbox, "/ping")
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    plain = httpx.get(sandbox.coinbase_url + "/products")
    assert plain.status_code == 429 and "retry-after" not in plain.headers


def test_connection_faults_reset_timeout_and_delay(sandbox):
    url = sandbox.coinbase_url + "/products"
    sandbox.faults.add("reset", "coinbase.products", calls=[1])
    sandbox.faults.add("timeout", "coinbase.products", calls=[2], seconds=0.5)
    sandbox.faults.add("delay", "coinbase.products", calls=[3], seconds=0.3)
    with pytest.raises(httpx.ReadError, match="reset by peer"):
        httpx.get(url)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(url, timeout=0.2)
    started = time.monotonic()
    delayed = httpx.get(url, timeout=5)
    assert time.monotonic() - started >= 0.3  # the answer was held back at least that long
    assert delayed.status_code == 200
    assert [p["id"] for p in delayed.json()]


def test_body_faults_reach_the_client(sandbox):
    trades = sandbox.coinbase_url + "/products/BTC-USD/trades"
    whole = httpx.get(trades, params={"limit": 5})
    sandbox.faults.add("truncate", "coinbase.trades")
    cut = httpx.get(trades, params={"limit": 5})
    assert cut.status_code == 200
    assert 0 < len(cut.content) == len(whole.content) // 2
    assert whole.content.startswith(cut.content)  # the same body, cut in half
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)
    sandbox.faults.clear()
    sandbox.faults.add("html", "coinbase.trades")
    html = httpx.get(trades, params={"limit": 5})
    assert (html.status_code, html.headers["content-type"]) == (503, "text/html; charset=UTF-8")
    assert html.text.startswith("<!DOCTYPE html>")
    sandbox.faults.clear()
    sandbox.faults.add("wrong_shape", "coinbase.trades", calls=[1])
    sandbox.faults.add("rename_field", "coinbase.trades", field="price", to="px", calls=[2])
    sandbox.faults.add("numbers_as_strings", "coinbase.trades", calls=[3])
    sandbox.faults.add("duplicate_trades", "coinbase.trades", calls=[4], count=2)
    sandbox.faults.add("out_of_order_trades", "coinbase.trades", calls=[5])
    pages = [httpx.get(trades, params={"limit": 5}).json() for _ in range(5)]
    assert isinstance(pages[0], dict)
    assert "px" in pages[1][0] and "price" not in pages[1][0]
    assert isinstance(pages[2][0]["trade_id"], str)
    ids = [r["trade_id"] for r in pages[3]]
    assert ids[0] == ids[1] and len(ids) == 7
    assert [r["trade_id"] for r in pages[4]] != sorted(
        (r["trade_id"] for r in pages[4]), reverse=True
    )
    assert [f.kind for f in sandbox.faults.fired][-5:] == [
        "wrong_shape",
        "rename_field",
        "numbers_as_strings",
        "duplicate_trades",
        "out_of_order_trades",
    ]


def test_the_server_stops_cleanly_and_frees_its_port(sandbox_factory):
    server = sandbox_factory()
    port = server.port
    keep_alive = httpx.Client()
    assert keep_alive.get(server.coinbase_url + "/products").status_code == 200
    server.stop()
    keep_alive.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("sandbox")]
    with pytest.raises(ConnectionRefusedError):  # nothing listens any more
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
