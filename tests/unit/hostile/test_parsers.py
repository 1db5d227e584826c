"""Every API parser, on any bytes and any JSON: a result or coinlake's own error, nothing else."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinlake.errors import BadResponseError, CoinlakeError, SchemaDriftError
from coinlake.sources.coinbase.parse import parse_candles, parse_products, parse_trades
from coinlake.sources.coingecko.parse import parse_market_chart, parse_simple_price

PARSERS: dict[str, Callable[[bytes], object]] = {
    "coinbase trades": lambda body: parse_trades(body, "BTC-USD"),
    "coinbase candles": lambda body: parse_candles(body, "BTC-USD", 3600),
    "coinbase products": parse_products,
    "coingecko simple_price": lambda body: parse_simple_price(body, vs_currencies=["usd"]),
    "coingecko market_chart": lambda body: parse_market_chart(body, "bitcoin", "usd"),
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False).map(str)
    | st.text(max_size=30)
    | st.sampled_from(["buy", "sell", "2026-11-22T10:00:00.123456Z", "91234.56", "BTC-USD"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["trade_id", "price", "size", "time", "side", "id", "usd", "prices"])
            | st.text(max_size=8),
            inner,
            max_size=6,
        )
    ),
    max_leaves=30,
)
trade_like = st.fixed_dictionaries(
    {},
    optional={
        "trade_id": st.integers() | st.text(max_size=12),
        "price": st.text(max_size=60) | st.decimals(allow_nan=True).map(str),
        "size": st.text(max_size=60) | st.integers(),
        "time": st.text(max_size=40) | st.datetimes().map(lambda d: d.isoformat()),
        "side": st.sampled_from(["buy", "sell", "BUY", "", "hold"]),
    },
)


def check_parsed_or_own_error(parser: Callable[[bytes], object], body: bytes) -> object:
    try:
        return parser(body)
    except CoinlakeError as exc:
        assert isinstance(exc, BadResponseError | SchemaDriftError)
        assert str(exc) and "\n" not in str(exc)[:300]
        return exc


@pytest.mark.parametrize("name", PARSERS)
@given(body=st.binary(max_size=200))
def test_any_bytes_give_a_result_or_a_clear_error(name: str, body: bytes) -> None:
    check_parsed_or_own_error(PARSERS[name], body)


@pytest.mark.parametrize("name", PARSERS)
@given(value=json_values)
def test_any_json_gives_a_result_or_a_clear_error(name: str, value: object) -> None:
    check_parsed_or_own_error(PARSERS[name], json.dumps(value, default=str).encode())


@given(rows=st.lists(trade_like, min_size=1, max_size=5))
def test_a_trade_page_is_parsed_exactly_or_refused_with_the_field_named(rows: list[object]) -> None:
    outcome = check_parsed_or_own_error(PARSERS["coinbase trades"], json.dumps(rows).encode())
    if isinstance(outcome, SchemaDriftError):
        assert outcome.field.startswith("trades[")
    else:
        assert isinstance(outcome, list) and len(outcome) == len(rows)
        assert all(isinstance(t.price, Decimal) and t.price.is_finite() for t in outcome)


def _page(price: str) -> bytes:
    row = {
        "trade_id": 1,
        "time": "2026-11-22T10:00:00.123456Z",
        "price": price,
        "size": "1",
        "side": "buy",
    }
    return json.dumps([row]).encode()


@pytest.mark.parametrize(
    "price",
    ["9" * 5000, "1e999999999", "0." + "0" * 3000 + "1", "1" * 39, "-1E-39"],
    ids=["5000 digits", "huge exponent", "3000 decimals", "39 digits", "tiny exponent"],
)
def test_decimals_beyond_any_decimal_column_are_refused_with_the_field_named(price: str) -> None:
    with pytest.raises(SchemaDriftError) as caught:
        parse_trades(_page(price), "BTC-USD")
    assert caught.value.field == "trades[0].price"


def test_the_widest_decimal_a_column_holds_is_kept_exactly() -> None:
    price = "1234567890123456789012345678.9012345678"
    assert parse_trades(_page(price), "BTC-USD")[0].price == Decimal(price)


@pytest.mark.parametrize("name", PARSERS)
def test_numbers_with_thousands_of_digits_in_json_are_refused(name: str) -> None:
    bodies = (b"[" + b"9" * 5000 + b"]", b'{"bitcoin": {"usd": 1' + b"0" * 5000 + b".5}}")
    for body in bodies:
        assert isinstance(check_parsed_or_own_error(PARSERS[name], body), CoinlakeError)


@pytest.mark.parametrize("name", PARSERS)
def test_deep_nesting_is_refused_with_bounded_memory(name: str) -> None:
    body = b"[" * 200_000 + b"]" * 200_000
    tracemalloc.start()
    try:
        outcome = check_parsed_or_own_error(PARSERS[name], body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(outcome, BadResponseError)
    assert peak < 64 * 2**20
