from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from coinlake.domain.records import Candle, Product, Trade
from coinlake.errors import BadResponseError, SchemaDriftError
from coinlake.sources.coinbase.parse import parse_candles, parse_products, parse_trades

TRADES = (
    b'[{"time": "2026-11-22T10:00:00.123456Z", "trade_id": 874123457, "price": "91234.56",'
    b' "size": "0.00120000", "side": "buy"},'
    b' {"time": "2026-11-22T09:59:59.5Z", "trade_id": "874123456", "price": "91234.50",'
    b' "size": "1", "side": "sell", "unexpected_new_field": true}]'
)


def good_trade(**changes: object) -> dict[str, object]:
    trade: dict[str, object] = {
        "time": "2026-11-22T10:00:00Z",
        "trade_id": 1,
        "price": "1.5",
        "size": "2",
        "side": "buy",
    }
    trade.update(changes)
    return trade


def test_trades_parse_exactly_with_utc_microseconds_and_either_id_type() -> None:
    assert parse_trades(TRADES, "BTC-USD") == [
        Trade(
            "BTC-USD",
            874123457,
            datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC),
            Decimal("91234.56"),
            Decimal("0.00120000"),
            "buy",
        ),
        Trade(
            "BTC-USD",
            874123456,
            datetime(2026, 11, 22, 9, 59, 59, 500000, tzinfo=UTC),
            Decimal("91234.50"),
            Decimal("1"),
            "sell",
        ),
    ]
    trade = parse_trades(TRADES, "BTC-USD")[0]
    assert str(trade.size) == "0.00120000"  # trailing zeros kept: exact as sent
    assert trade.time.tzinfo is UTC


def test_an_empty_page_is_an_empty_list() -> None:
    assert parse_trades(b"[]", "BTC-USD") == []


def test_trades_in_other_timezones_are_converted_to_utc() -> None:
    body = json.dumps([good_trade(time="2026-11-22T12:00:00.000001+02:00")]).encode()
    assert parse_trades(body, "X-Y")[0].time == datetime(2026, 11, 22, 10, 0, 0, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("trade", "message"),
    [
        ({k: v for k, v in good_trade().items() if k != "price"}, r"trades\[3\]\.price: missing"),
        (good_trade(price=1.5), r"trades\[3\]\.price: expected a string, got number"),
        (good_trade(price=15), r"trades\[3\]\.price: expected a string, got number"),
        (good_trade(size="abc"), r"trades\[3\]\.size: 'abc' is not a decimal"),
        (good_trade(size="NaN"), r"trades\[3\]\.size: 'NaN' is not a finite number"),
        (good_trade(side="BUY"), r"trades\[3\]\.side: 'BUY' is neither"),
        (good_trade(trade_id="12a"), r"trades\[3\]\.trade_id: expected an integer, got string"),
        (good_trade(trade_id=1.0), r"trades\[3\]\.trade_id: expected an integer, got number"),
        (good_trade(trade_id=True), r"trades\[3\]\.trade_id: expected an integer, got boolean"),
        (good_trade(time="2026-11-22T10:00:00"), r"trades\[3\]\.time: .* has no timezone"),
        (good_trade(time="yesterday"), r"trades\[3\]\.time: 'yesterday' is not an ISO 8601"),
        (good_trade(time=1763805600), r"trades\[3\]\.time: expected a string, got number"),
        ("not an object", r"trades\[3\]: expected an object, got string"),
    ],
    ids=[
        "missing-price",
        "price-float",
        "price-int",
        "size-junk",
        "size-nan",
        "side-case",
        "id-junk",
        "id-float",
        "id-bool",
        "naive-time",
        "bad-time",
        "epoch-time",
        "not-object",
    ],
)
def test_drift_names_the_field(trade: object, message: str) -> None:
    body = json.dumps([good_trade(), good_trade(), good_trade(), trade]).encode()
    with pytest.raises(SchemaDriftError, match=message) as caught:
        parse_trades(body, "BTC-USD")
    assert caught.value.field.startswith("trades[3]")


def test_an_object_instead_of_a_list_is_drift() -> None:
    with pytest.raises(SchemaDriftError, match="trades: expected an array, got object"):
        parse_trades(b'{"message": "oops"}', "BTC-USD")


@pytest.mark.parametrize(
    "body",
    [TRADES[:-20], b"", b"<html>503</html>", b"[NaN]", b"\xff\xfe"],
    ids=["truncated", "empty", "html", "nan", "not-utf8"],
)
def test_bodies_that_are_not_json_are_bad_responses_not_drift(body: bytes) -> None:
    with pytest.raises(BadResponseError) as caught:
        parse_trades(body, "BTC-USD")
    assert not isinstance(caught.value, SchemaDriftError)


def test_candles_parse_in_the_documented_low_high_open_close_order() -> None:
    body = (
        b"[[1763805600, 90000.5, 91000, 90100.25, 90900.75, 12.3456789],"
        b" [1763802000, 1, 2, 3, 4, 0]]"
    )
    candles = parse_candles(body, "BTC-USD", 3600)
    assert candles[0] == Candle(
        "BTC-USD",
        datetime(2025, 11, 22, 10, 0, tzinfo=UTC),
        3600,
        low=Decimal("90000.5"),
        high=Decimal("91000"),
        open=Decimal("90100.25"),
        close=Decimal("90900.75"),
        volume=Decimal("12.3456789"),
    )
    assert len(candles) == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[[1763805600, 1, 2, 3, 4]]", r"candles\[0\]: expected 6 values, got 5"),
        (b'[[1763805600, "1", 2, 3, 4, 5]]', r"candles\[0\]\[1\]: expected a number, got string"),
        (b"[[1763805600.5, 1, 2, 3, 4, 5]]", r"candles\[0\]\[0\]: expected an integer"),
        (b"[{}]", r"candles\[0\]: expected an array, got object"),
    ],
    ids=["short-row", "string-low", "float-time", "object-row"],
)
def test_candle_drift_names_the_position(body: bytes, message: str) -> None:
    with pytest.raises(SchemaDriftError, match=message):
        parse_candles(body, "BTC-USD", 60)


def test_products_parse_lists_and_single_objects() -> None:
    product = {
        "id": "BTC-USD",
        "base_currency": "BTC",
        "quote_currency": "USD",
        "status": "online",
        "trading_disabled": False,
        "quote_increment": "0.01",
    }
    expected = Product("BTC-USD", "BTC", "USD", "online", False)
    assert parse_products(json.dumps([product]).encode()) == [expected]
    assert parse_products(json.dumps(product).encode()) == [expected]
    del product["status"]
    with pytest.raises(SchemaDriftError, match=r"products\[0\]\.status: missing"):
        parse_products(json.dumps([product]).encode())
