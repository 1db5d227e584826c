"""Pure parsers for Coinbase Exchange responses (docs.cdp.coinbase.com, Exchange REST API).

Documented shapes:
- trades: `[{"time": ISO8601, "trade_id": int, "price": "str", "size": "str", "side": ...}]`,
  newest first. `trade_id` is an integer in the spec but some captures show a string: both are
  accepted. Price and size are decimal *strings*: a JSON number there is schema drift (it would
  already have lost exactness in some producer).
- candles: `[[time, low, high, open, close, volume], ...]`, newest first, unix seconds + numbers.
- products: `[{"id": "BTC-USD", "base_currency": ..., "quote_currency": ..., "status": ...}]`.
Fields we do not use are ignored, so additive changes upstream are not drift.
"""

from __future__ import annotations

from typing import get_args

from coinlake.domain.records import Candle, Product, Side, Trade
from coinlake.sources.jsonshape import Shape, load_json

API = "coinbase"
SIDES: tuple[str, ...] = get_args(Side)
CANDLE_FIELDS = 6


def parse_trades(body: bytes, product_id: str) -> list[Trade]:
    """Trades of one `/products/{id}/trades` page, in the page's order (newest first).

    Raises:
        BadResponseError: the body is not JSON.
        SchemaDriftError: a field is missing or of the wrong type, e.g. `trades[3].price: missing`.
    """
    shape = Shape(API, f"trades {product_id}")
    items = shape.list_(load_json(body, api=API, what=f"trades {product_id}"), "trades")
    trades: list[Trade] = []
    for index, item in enumerate(items):
        path = f"trades[{index}]"
        obj = shape.dict_(item, path)
        side = shape.str_(shape.field(obj, "side", path), f"{path}.side")
        if side not in SIDES:
            raise shape.drift(f"{path}.side", f"{side[:20]!r} is neither 'buy' nor 'sell'")
        trades.append(
            Trade(
                product_id=product_id,
                trade_id=shape.int_(
                    shape.field(obj, "trade_id", path),
                    f"{path}.trade_id",
                    allow_digit_string=True,
                ),
                time=shape.timestamp(shape.field(obj, "time", path), f"{path}.time"),
                price=shape.decimal_string(shape.field(obj, "price", path), f"{path}.price"),
                size=shape.decimal_string(shape.field(obj, "size", path), f"{path}.size"),
                side="buy" if side == "buy" else "sell",
            )
        )
    return trades


def parse_candles(body: bytes, product_id: str, granularity_s: int) -> list[Candle]:
    """Candles of one `/products/{id}/candles` response, in the response's order (newest first).

    Raises:
        BadResponseError: the body is not JSON.
        SchemaDriftError: a row is not `[time, low, high, open, close, volume]` of numbers.
    """
    shape = Shape(API, f"candles {product_id}")
    rows = shape.list_(load_json(body, api=API, what=f"candles {product_id}"), "candles")
    candles: list[Candle] = []
    for index, item in enumerate(rows):
        path = f"candles[{index}]"
        row = shape.list_(item, path)
        if len(row) != CANDLE_FIELDS:
            raise shape.drift(path, f"expected {CANDLE_FIELDS} values, got {len(row)}")
        low, high, open_, close, volume = (
            shape.number(value, f"{path}[{position}]")
            for position, value in enumerate(row[1:], start=1)
        )
        candles.append(
            Candle(
                product_id=product_id,
                start_at=shape.epoch_s(row[0], f"{path}[0]"),
                granularity_s=granularity_s,
                low=low,
                high=high,
                open=open_,
                close=close,
                volume=volume,
            )
        )
    return candles


def parse_products(body: bytes) -> list[Product]:
    """Products of `/products` (an array) or `/products/{id}` (one object).

    Raises:
        BadResponseError: the body is not JSON.
        SchemaDriftError: a product lacks `id`, the currencies, `status` or `trading_disabled`.
    """
    shape = Shape(API, "products")
    document = load_json(body, api=API, what="products")
    items = document if isinstance(document, list) else [shape.dict_(document, "product")]
    products: list[Product] = []
    for index, item in enumerate(items):
        path = f"products[{index}]"
        obj = shape.dict_(item, path)
        products.append(
            Product(
                product_id=shape.str_(shape.field(obj, "id", path), f"{path}.id"),
                base_currency=shape.str_(
                    shape.field(obj, "base_currency", path), f"{path}.base_currency"
                ),
                quote_currency=shape.str_(
                    shape.field(obj, "quote_currency", path), f"{path}.quote_currency"
                ),
                status=shape.str_(shape.field(obj, "status", path), f"{path}.status"),
                trading_disabled=shape.bool_(
                    shape.field(obj, "trading_disabled", path), f"{path}.trading_disabled"
                ),
            )
        )
    return products
