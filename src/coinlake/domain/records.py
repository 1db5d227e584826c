"""Typed records parsed from API responses: frozen, slotted, exact (`Decimal`), UTC-aware.

These are what the sources' `parse_*` functions return; Silver builds its rows from the same
shapes. Money and sizes are `Decimal` (never float); every datetime is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

Side = Literal["buy", "sell"]


@dataclass(frozen=True, slots=True)
class Trade:
    """One Coinbase Exchange trade (GET /products/{id}/trades)."""

    product_id: str
    """Coinbase product, e.g. `BTC-USD`."""
    trade_id: int
    """Sequential per product."""
    time: datetime
    """When the trade happened (UTC, microseconds)."""
    price: Decimal
    """Quote currency per unit of base."""
    size: Decimal
    """Base currency amount."""
    side: Side
    """The MAKER order's side: `buy` = a resting bid was hit (taker sold), `sell` = taker bought."""


@dataclass(frozen=True, slots=True)
class Candle:
    """One Coinbase candle (GET /products/{id}/candles)."""

    product_id: str
    """Coinbase product."""
    start_at: datetime
    """Start of the bucket (UTC)."""
    granularity_s: int
    """Bucket width in seconds."""
    low: Decimal
    """Lowest price in the bucket."""
    high: Decimal
    """Highest price in the bucket."""
    open: Decimal
    """First price in the bucket."""
    close: Decimal
    """Last price in the bucket."""
    volume: Decimal
    """Base volume traded in the bucket."""


@dataclass(frozen=True, slots=True)
class Product:
    """One Coinbase product (GET /products)."""

    product_id: str
    """E.g. `BTC-USD`."""
    base_currency: str
    """E.g. `BTC`."""
    quote_currency: str
    """E.g. `USD`."""
    status: str
    """`online`, `delisted`, ..."""
    trading_disabled: bool
    """True when the product does not trade."""


@dataclass(frozen=True, slots=True)
class PriceSnapshot:
    """One coin in one currency from CoinGecko `/simple/price`."""

    coin_id: str
    """CoinGecko coin id, e.g. `bitcoin`."""
    vs_currency: str
    """Quote currency, e.g. `usd`."""
    price: Decimal
    """Price of one coin."""
    market_cap: Decimal | None
    """Market capitalisation, None when not requested or not known."""
    volume_24h: Decimal | None
    """24-hour traded volume in `vs_currency`."""
    change_24h_pct: Decimal | None
    """24-hour change in percent; CoinGecko sends null for some coins."""
    last_updated_at: datetime | None
    """When CoinGecko last updated the coin (UTC), None when not requested."""


@dataclass(frozen=True, slots=True)
class MarketChartPoint:
    """One timestamp of CoinGecko `/coins/{id}/market_chart[/range]`."""

    coin_id: str
    """CoinGecko coin id."""
    vs_currency: str
    """Quote currency."""
    at: datetime
    """Timestamp of the point (UTC, from epoch milliseconds)."""
    price: Decimal | None
    """Price at `at`, None when the `prices` series has no point there."""
    market_cap: Decimal | None
    """Market cap at `at`, None when missing."""
    total_volume: Decimal | None
    """24h volume at `at`, None when missing."""
