"""Bronze keys: the exact layout of DESIGN.md, and parsers that round-trip the builders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinlake.bronze.keys import (
    InvalidBronzeKeyError,
    format_compact,
    parse_bronze_key,
    parse_compact,
    unparsed_key_beside,
)
from coinlake.sources.coinbase.keys import (
    candles_key,
    trades_page_key,
    trades_prefix,
    trades_unparsed_key,
)
from coinlake.sources.coingecko.keys import market_chart_range_key, simple_price_key

FETCHED = datetime(2026, 11, 22, 17, 0, 0, 123456, tzinfo=UTC)


def test_simple_price_key_is_the_seed_layout() -> None:
    assert simple_price_key(FETCHED) == (
        "bronze/source=coingecko/dataset=simple_price/year=2026/month=11/day=22/"
        "20261122T170000.123456Z.json"
    )


def test_trades_page_key_orders_ids_and_pads_them() -> None:
    expected = (
        "bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-11-22/"
        "000000000900-000000001899.json"
    )
    assert trades_page_key("BTC-USD", FETCHED, 900, 1899) == expected
    assert trades_page_key("BTC-USD", FETCHED, 1899, 900) == expected


def test_candles_and_market_chart_keys_carry_the_requested_range() -> None:
    start, end = FETCHED - timedelta(hours=5), FETCHED
    assert candles_key("ETH-USD", FETCHED, start, end) == (
        "bronze/source=coinbase/dataset=candles/product=ETH-USD/date=2026-11-22/"
        "20261122T120000.123456Z-20261122T170000.123456Z.json"
    )
    assert market_chart_range_key("bitcoin", "usd", FETCHED, start, end) == (
        "bronze/source=coingecko/dataset=market_chart_range/coin=bitcoin/vs_currency=usd/"
        "date=2026-11-22/20261122T120000.123456Z-20261122T170000.123456Z.json"
    )


def test_the_partition_is_the_utc_fetch_date() -> None:
    late_evening_in_new_york = datetime(2026, 11, 22, 21, 30, tzinfo=timezone(timedelta(hours=-5)))
    key = trades_page_key("BTC-USD", late_evening_in_new_york, 1, 2)
    assert "/date=2026-11-23/" in key
    assert "/day=23/" in simple_price_key(late_evening_in_new_york)


def test_unparsed_pages_get_a_deterministic_key_from_time_and_body() -> None:
    key = trades_unparsed_key("BTC-USD", FETCHED, b'[{"trade_id": 1, "pri')
    assert key == trades_unparsed_key("BTC-USD", FETCHED, b'[{"trade_id": 1, "pri')
    assert key != trades_unparsed_key("BTC-USD", FETCHED, b"<html>502</html>")
    assert key.startswith(trades_prefix("BTC-USD", date(2026, 11, 22)) + "unparsed-")
    parsed = parse_bronze_key(key)
    assert parsed.unparsed
    assert parsed.fetched_at == FETCHED
    assert parsed.first_id is None


def test_lexical_order_of_trade_pages_is_numeric_order() -> None:
    keys = [trades_page_key("BTC-USD", FETCHED, lo, lo + 999) for lo in (9_001, 10_001, 999_001)]
    assert sorted(keys) == keys


def test_a_parsed_trades_key_has_its_parts() -> None:
    parsed = parse_bronze_key(trades_page_key("SOL-USD", FETCHED, 7, 1006))
    assert (parsed.source, parsed.dataset, parsed.product) == ("coinbase", "trades", "SOL-USD")
    assert (parsed.first_id, parsed.last_id) == (7, 1006)
    assert parsed.fetch_date == date(2026, 11, 22)
    assert parsed.partitions == {"product": "SOL-USD", "date": "2026-11-22"}
    assert not parsed.unparsed


moments = st.datetimes(
    min_value=datetime(2009, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)


@given(moments, st.integers(0, 10**12 - 1), st.integers(0, 10**12 - 1))
def test_trades_keys_round_trip(fetched: datetime, a: int, b: int) -> None:
    key = trades_page_key("BTC-USD", fetched, a, b)
    parsed = parse_bronze_key(key)
    assert (parsed.first_id, parsed.last_id) == (min(a, b), max(a, b))
    assert parsed.key == key


@given(moments, moments, st.binary(max_size=64))
def test_time_keys_round_trip(fetched: datetime, start: datetime, body: bytes) -> None:
    start, end = sorted((start, fetched))
    for key in (
        simple_price_key(fetched),
        candles_key("BTC-USD", fetched, start, end),
        market_chart_range_key("bitcoin", "eur", fetched, start, end),
        trades_unparsed_key("ETH-BTC", fetched, body),
    ):
        parsed = parse_bronze_key(key)
        assert parsed.key == key
        assert parsed.fetch_date == fetched.date()
    assert parse_bronze_key(candles_key("BTC-USD", fetched, start, end)).start_at == start
    assert parse_compact(format_compact(fetched)) == fetched


@pytest.mark.parametrize(
    "key",
    [
        "silver/trades/x.json",
        "bronze/source=coinbase/dataset=orders/product=BTC-USD/date=2026-11-22/1-2.json",
        "bronze/source=coinbase/dataset=trades/product=BTC-USD/2026-11-22/a.json",
        "bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-11-22/1-2.json",
        "bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-13-22/"
        "000000000001-000000000002.json",
        "bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-11-22/"
        "000000000002-000000000001.json",
        "bronze/source=coinbase/dataset=trades/product=btc-usd/date=2026-11-22/"
        "000000000001-000000000002.json",
        "bronze/source=coingecko/dataset=simple_price/year=2026/month=11/day=21/"
        "20261122T170000.123456Z.json",
        "bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-11-21/"
        "unparsed-20261122T170000.123456Z-0123456789abcdef.json",
        "bronze/source=coinbase/dataset=candles/product=BTC-USD/date=2026-11-22/"
        "20261122T170000.000000Z-20261122T120000.000000Z.json",
    ],
)
def test_keys_off_the_layout_are_rejected(key: str) -> None:
    with pytest.raises(InvalidBronzeKeyError):
        parse_bronze_key(key)


def test_bad_key_parts_are_rejected() -> None:
    with pytest.raises(InvalidBronzeKeyError, match="naive"):
        simple_price_key(datetime(2026, 1, 1))
    with pytest.raises(InvalidBronzeKeyError, match="product id"):
        trades_page_key("BTC/USD", FETCHED, 1, 2)
    with pytest.raises(InvalidBronzeKeyError, match="12 digits"):
        trades_page_key("BTC-USD", FETCHED, 1, 10**12)
    with pytest.raises(InvalidBronzeKeyError, match="before it starts"):
        candles_key("BTC-USD", FETCHED, FETCHED, FETCHED - timedelta(seconds=1))


@pytest.mark.parametrize(
    "key",
    [
        candles_key("BTC-USD", FETCHED, FETCHED, FETCHED + timedelta(hours=5)),
        market_chart_range_key("bitcoin", "usd", FETCHED, FETCHED, FETCHED + timedelta(days=1)),
    ],
    ids=["candles", "market_chart_range"],
)
def test_an_unparsable_ranged_response_lands_beside_the_range_key_not_on_it(key: str) -> None:
    body = b"[[1700000000, 1.0, 2.0"
    beside = unparsed_key_beside(key, FETCHED, body)
    assert beside != key
    assert beside.rsplit("/", 1)[0] == key.rsplit("/", 1)[0]
    assert beside == unparsed_key_beside(key, FETCHED, body)
    assert beside != unparsed_key_beside(key, FETCHED, b"<html>502</html>")
    parsed = parse_bronze_key(beside)
    assert parsed.unparsed and parsed.fetched_at == FETCHED
    assert (parsed.start_at, parsed.end_at) == (None, None)
    with pytest.raises(InvalidBronzeKeyError):
        unparsed_key_beside(simple_price_key(FETCHED), FETCHED, body)


def test_a_registered_layout_builds_and_parses_keys_of_a_new_source() -> None:
    from coinlake.bronze.keys import build_key
    from coinlake.sources.paging import Dataset, KeyLayout, SourceSpec
    from coinlake.sources.registry import REGISTRY

    layout = KeyLayout(("market", "date"), "time_range")
    spec = SourceSpec("exchange-x", (Dataset("ohlc", "windows", layout),), open=_never_opened)
    fetched = datetime(2026, 11, 22, 10, 0, 0, 5, tzinfo=UTC)
    window = (datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC))
    key = build_key("exchange-x", "ohlc", layout, fetched, folders={"market": "btc"}, window=window)
    assert key == (
        "bronze/source=exchange-x/dataset=ohlc/market=btc/date=2026-11-22/"
        "20261121T000000.000000Z-20261122T000000.000000Z.json"
    )
    with pytest.raises(InvalidBronzeKeyError, match="unknown Bronze dataset exchange-x/ohlc"):
        parse_bronze_key(key)
    REGISTRY.register(spec)
    try:
        parsed = parse_bronze_key(key)
        assert (parsed.partitions, parsed.start_at, parsed.end_at) == (
            {"market": "btc", "date": "2026-11-22"},
            *window,
        )
        bad = build_key("exchange-x", "ohlc", layout, fetched, folders={"market": "btc"},
                        window=window, unparsed_body=b"{")  # fmt: skip
        assert parse_bronze_key(bad).unparsed
        with pytest.raises(InvalidBronzeKeyError, match="need a 'market' value"):
            build_key("exchange-x", "ohlc", layout, fetched, window=window)
    finally:
        REGISTRY.unregister("exchange-x")


def _never_opened(*_: object) -> Any:
    raise AssertionError("building keys opens no client")
