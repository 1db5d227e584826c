"""Pure parsers for CoinGecko API v3 responses (docs.coingecko.com).

CoinGecko sends prices as JSON *numbers*; they are read as `Decimal` (`parse_float=Decimal`,
integers converted too), so `91234.123456789` keeps every digit it was sent with. A string where
a number is documented is schema drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from coinlake.domain.records import MarketChartPoint, PriceSnapshot
from coinlake.sources.jsonshape import Json, Shape, load_json

API = "coingecko"
# Per-currency keys of /simple/price besides the price itself (`usd`): `usd_market_cap`, ...
SUFFIXES = ("_market_cap", "_24h_vol", "_24h_change")
LAST_UPDATED = "last_updated_at"
SERIES = ("prices", "market_caps", "total_volumes")


def parse_simple_price(
    body: bytes, *, vs_currencies: Sequence[str] | None = None
) -> list[PriceSnapshot]:
    """One snapshot per coin x currency of a `/simple/price` response, in the body's order.

    Args:
        body: the response body.
        vs_currencies: the currencies requested; each coin must then quote each of them. When
            None the currencies are read from the keys.

    Raises:
        BadResponseError: the body is not JSON.
        SchemaDriftError: e.g. `bitcoin.usd: expected a number, got string`.
    """
    shape = Shape(API, "simple/price")
    document = shape.dict_(load_json(body, api=API, what="simple/price"), "simple_price")
    snapshots: list[PriceSnapshot] = []
    for coin_id, entry in document.items():
        quote = shape.dict_(entry, coin_id)
        updated = quote.get(LAST_UPDATED)
        last_updated_at = (
            None if updated is None else shape.epoch_s(updated, f"{coin_id}.{LAST_UPDATED}")
        )
        currencies = list(vs_currencies) if vs_currencies is not None else _currencies(quote)
        for currency in currencies:
            path = f"{coin_id}.{currency}"
            snapshots.append(
                PriceSnapshot(
                    coin_id=coin_id,
                    vs_currency=currency,
                    price=shape.number(shape.field(quote, currency, coin_id), path),
                    market_cap=_optional(shape, quote, f"{currency}_market_cap", coin_id),
                    volume_24h=_optional(shape, quote, f"{currency}_24h_vol", coin_id),
                    change_24h_pct=_optional(shape, quote, f"{currency}_24h_change", coin_id),
                    last_updated_at=last_updated_at,
                )
            )
    return snapshots


def _currencies(quote: dict[str, Json]) -> list[str]:
    return [key for key in quote if key != LAST_UPDATED and not key.endswith(SUFFIXES)]


def _optional(shape: Shape, quote: dict[str, Json], key: str, coin_id: str) -> Decimal | None:
    return shape.optional_number(quote.get(key), f"{coin_id}.{key}")


def parse_market_chart(body: bytes, coin_id: str, vs_currency: str) -> list[MarketChartPoint]:
    """Points of `/coins/{id}/market_chart[/range]`, merged by timestamp, ascending.

    The three series (`prices`, `market_caps`, `total_volumes`) are `[[ms, value], ...]`; a
    timestamp missing from one series gives None in that field.

    Raises:
        BadResponseError: the body is not JSON.
        SchemaDriftError: e.g. `prices[2]: expected 2 values, got 3`.
    """
    shape = Shape(API, f"market_chart {coin_id}")
    document = shape.dict_(load_json(body, api=API, what=f"market_chart {coin_id}"), "chart")
    columns: dict[datetime, dict[str, Decimal | None]] = {}
    for name in SERIES:
        rows = shape.list_(shape.field(document, name, "chart"), name)
        for index, item in enumerate(rows):
            path = f"{name}[{index}]"
            row = shape.list_(item, path)
            if len(row) != 2:
                raise shape.drift(path, f"expected 2 values, got {len(row)}")
            at = shape.epoch_ms(row[0], f"{path}[0]")
            columns.setdefault(at, {})[name] = shape.optional_number(row[1], f"{path}[1]")
    return [
        MarketChartPoint(
            coin_id=coin_id,
            vs_currency=vs_currency,
            at=at,
            price=values.get("prices"),
            market_cap=values.get("market_caps"),
            total_volume=values.get("total_volumes"),
        )
        for at, values in sorted(columns.items())
    ]
