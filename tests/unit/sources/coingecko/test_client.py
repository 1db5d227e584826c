from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from coinlake.config import COINGECKO_PRO_URL, Settings
from coinlake.devtools.fake_clock import FakeClock
from coinlake.domain.records import MarketChartPoint, PriceSnapshot
from coinlake.errors import BadResponseError, ConfigError, SchemaDriftError
from coinlake.sources.coingecko.client import (
    CoinGeckoSource,
    market_chart_windows,
    parse_market_chart,
    parse_simple_price,
)
from tests.unit.sources.conftest import Recorder

SIMPLE = (
    b'{"bitcoin": {"usd": 91234.123456789012, "usd_market_cap": 1.81e12,'
    b' "usd_24h_vol": 31000000000, "usd_24h_change": -1.23, "eur": 84000.5,'
    b' "eur_market_cap": 1.6E12, "eur_24h_vol": 2.8e10,'
    b' "eur_24h_change": null, "last_updated_at": 1763805600},'
    b' "tether": {"usd": 1, "usd_market_cap": null, "usd_24h_vol": 0, "usd_24h_change": 0.01,'
    b' "eur": 0.92, "eur_market_cap": 1, "eur_24h_vol": 2, "eur_24h_change": 3,'
    b' "last_updated_at": 1763805601}}'
)
UPDATED = datetime(2025, 11, 22, 10, 0, tzinfo=UTC)
KEY = "CG-abcdefghijklmnop"


def test_simple_price_gives_one_exact_snapshot_per_coin_and_currency() -> None:
    snapshots = parse_simple_price(SIMPLE, vs_currencies=["usd", "eur"])
    assert snapshots[0] == PriceSnapshot(
        "bitcoin",
        "usd",
        price=Decimal("91234.123456789012"),
        market_cap=Decimal("1.81e12"),
        volume_24h=Decimal(31000000000),
        change_24h_pct=Decimal("-1.23"),
        last_updated_at=UPDATED,
    )
    assert snapshots[1].change_24h_pct is None
    assert snapshots[1].market_cap == Decimal("1.6E12")
    assert [(s.coin_id, s.vs_currency) for s in snapshots] == [
        ("bitcoin", "usd"),
        ("bitcoin", "eur"),
        ("tether", "usd"),
        ("tether", "eur"),
    ]
    assert snapshots[2].price == Decimal(1)
    assert isinstance(snapshots[2].price, Decimal)
    assert snapshots[2].market_cap is None


def test_simple_price_reads_the_currencies_from_the_keys_when_not_told() -> None:
    body = b'{"bitcoin": {"usd": 1.5, "jpy": 2, "usd_24h_change": 3}}'
    snapshots = parse_simple_price(body)
    assert [(s.vs_currency, s.price, s.change_24h_pct) for s in snapshots] == [
        ("usd", Decimal("1.5"), Decimal(3)),
        ("jpy", Decimal(2), None),
    ]
    assert snapshots[0].last_updated_at is None


def test_no_matching_coin_is_an_empty_answer() -> None:
    assert parse_simple_price(b"{}") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"bitcoin": {"usd": "91234.12"}}', r"bitcoin\.usd: expected a number, got string"),
        (b'{"bitcoin": {"eur": 1}}', r"bitcoin\.usd: missing"),
        (b'{"bitcoin": {"usd": 1, "usd_market_cap": "x"}}', r"bitcoin\.usd_market_cap: expected"),
        (b'{"bitcoin": {"usd": 1, "last_updated_at": 1.5}}', r"bitcoin\.last_updated_at: expec"),
        (b'{"bitcoin": [1]}', r"bitcoin: expected an object, got array"),
        (b"[]", r"simple_price: expected an object, got array"),
    ],
    ids=["string-price", "missing-currency", "string-cap", "float-time", "array-coin", "array"],
)
def test_simple_price_drift_names_the_field(body: bytes, message: str) -> None:
    with pytest.raises(SchemaDriftError, match=message):
        parse_simple_price(body, vs_currencies=["usd"])


def test_market_chart_merges_the_three_series_by_millisecond_timestamp() -> None:
    body = (
        b'{"prices": [[1763805600000, 91000.5], [1763809200123, 91100]],'
        b' "market_caps": [[1763805600000, 1.8e12]],'
        b' "total_volumes": [[1763809200123, 3.1e10], [1763805600000, null]]}'
    )
    points = parse_market_chart(body, "bitcoin", "usd")
    assert points == [
        MarketChartPoint("bitcoin", "usd", UPDATED, Decimal("91000.5"), Decimal("1.8e12"), None),
        MarketChartPoint(
            "bitcoin",
            "usd",
            UPDATED + timedelta(hours=1, milliseconds=123),
            Decimal(91100),
            None,
            Decimal("3.1e10"),
        ),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"prices": [], "market_caps": []}', r"chart\.total_volumes: missing"),
        (b'{"prices": [[1, 2, 3]], "market_caps": [], "total_volumes": []}', r"prices\[0\]: exp"),
        (b'{"prices": [["1", 2]], "market_caps": [], "total_volumes": []}', r"prices\[0\]\[0\]"),
    ],
    ids=["missing-series", "long-row", "string-time"],
)
def test_market_chart_drift_names_the_field(body: bytes, message: str) -> None:
    with pytest.raises(SchemaDriftError, match=message):
        parse_market_chart(body, "bitcoin", "usd")


def test_market_chart_chunks_are_equal_and_at_most_90_days() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    windows = market_chart_windows(start, start + timedelta(days=200))
    assert len(windows) == 3
    assert windows[0][0] == start
    assert windows[-1][1] == start + timedelta(days=200)
    spans = {end - begin for begin, end in windows}
    assert all(timedelta(days=66) <= span <= timedelta(days=67) for span in spans)
    assert market_chart_windows(start, start + timedelta(days=90)) == [
        (start, start + timedelta(days=90))
    ]
    with pytest.raises(ConfigError, match="empty"):
        market_chart_windows(start, start)


def source(handler: Recorder, clock: FakeClock, **settings: object) -> CoinGeckoSource:
    return CoinGeckoSource.from_settings(
        Settings(**settings),  # type: ignore[arg-type]
        clock=clock,
        transport=httpx.MockTransport(handler),
    )


def test_simple_price_asks_for_every_field_at_full_precision(clock: FakeClock) -> None:
    recorder = Recorder(httpx.Response(200, content=SIMPLE))
    raw = source(recorder, clock).fetch_simple_price(["bitcoin", "tether"], ["usd", "eur"])
    assert raw.body == SIMPLE
    assert dict(recorder.requests[0].url.params) == {
        "ids": "bitcoin,tether",
        "vs_currencies": "usd,eur",
        "include_market_cap": "true",
        "include_24hr_vol": "true",
        "include_24hr_change": "true",
        "include_last_updated_at": "true",
        "precision": "full",
    }
    assert recorder.requests[0].url.host == "api.coingecko.com"
    assert "x-cg-demo-api-key" not in recorder.requests[0].headers


def test_a_demo_key_goes_in_the_demo_header_and_nowhere_else(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(httpx.Response(200, content=SIMPLE))
    gecko = source(recorder, clock, coingecko_api_key=KEY)
    raw = gecko.fetch_simple_price(["bitcoin"], ["usd"])
    sent = recorder.requests[0]
    assert sent.headers["x-cg-demo-api-key"] == KEY
    assert sent.url.host == "api.coingecko.com"
    assert KEY not in str(sent.url)
    assert KEY not in repr(raw) + repr(gecko) + repr(gecko.client) + caplog.text
    assert KEY not in json.dumps(raw.request.params) + raw.request.url


def test_a_pro_key_uses_the_pro_header_and_host(clock: FakeClock) -> None:
    recorder = Recorder(httpx.Response(200, content=b"{}"))
    gecko = CoinGeckoSource.from_settings(
        Settings(coingecko_key_tier="pro"),
        api_key=SecretStr(KEY),
        clock=clock,
        transport=httpx.MockTransport(recorder),
    )
    gecko.fetch_simple_price(["bitcoin"], ["usd"])
    sent = recorder.requests[0]
    assert str(sent.url).startswith(COINGECKO_PRO_URL + "/simple/price?")
    assert sent.headers["x-cg-pro-api-key"] == KEY
    assert "x-cg-demo-api-key" not in sent.headers


def test_an_overridden_base_url_is_kept_for_pro_keys(clock: FakeClock) -> None:
    recorder = Recorder(httpx.Response(200, content=b"{}"))
    gecko = source(
        recorder,
        clock,
        coingecko_url="http://127.0.0.1:9999/api/v3",
        coingecko_key_tier="pro",
        coingecko_api_key=KEY,
    )
    gecko.fetch_simple_price(["bitcoin"], ["usd"])
    assert str(recorder.requests[0].url).startswith("http://127.0.0.1:9999/api/v3/simple/price")


def test_a_cloudflare_429_is_retried_after_its_retry_after(clock: FakeClock) -> None:
    recorder = Recorder(
        httpx.Response(
            429,
            content=b"<html><title>Just a moment...</title></html>",
            headers={"Retry-After": "119"},
        ),
        httpx.Response(200, content=SIMPLE),
    )
    gecko = source(recorder, clock, retry_deadline_s=300)
    assert gecko.fetch_simple_price(["bitcoin"], ["usd"]).attempts == 2
    assert clock.sleeps == [119.0]


def test_history_is_fetched_chunk_by_chunk_and_bad_chunks_are_reported(clock: FakeClock) -> None:
    good = b'{"prices": [[1763805600000, 1]], "market_caps": [], "total_volumes": []}'
    recorder = Recorder(
        httpx.Response(200, content=good),
        httpx.Response(200, content=b'{"prices": [[17638'),
        httpx.Response(200, content=good),
    )
    gecko = source(recorder, clock, coingecko_calls_per_minute=60)
    end = clock.now()
    pages = list(gecko.iter_market_chart_range("bitcoin", "usd", end - timedelta(days=200), end))
    assert [page.points is not None for page in pages] == [True, False, True]
    assert isinstance(pages[1].error, BadResponseError)
    first = dict(recorder.requests[0].url.params)
    assert first["vs_currency"] == "usd"
    assert int(first["to"]) - int(first["from"]) <= 90 * 86400
    assert recorder.requests[0].url.path == "/api/v3/coins/bitcoin/market_chart/range"
    assert clock.sleeps == [1.0, 1.0]  # 60 calls a minute, no burst


def test_keyless_history_beyond_365_days_is_refused_before_any_call(clock: FakeClock) -> None:
    recorder = Recorder(httpx.Response(200, content=b"{}"))
    gecko = source(recorder, clock)
    with pytest.raises(ConfigError, match="needs a Pro key"):
        next(
            gecko.iter_market_chart_range(
                "bitcoin", "usd", clock.now() - timedelta(days=400), clock.now()
            )
        )
    assert recorder.requests == []


def test_an_unknown_coin_is_a_404_with_the_api_message(clock: FakeClock) -> None:
    recorder = Recorder(httpx.Response(404, json={"error": "coin not found"}))
    with pytest.raises(BadResponseError, match="HTTP 404: coin not found"):
        source(recorder, clock).fetch_market_chart_range(
            "nope", "usd", clock.now() - timedelta(days=1), clock.now()
        )
