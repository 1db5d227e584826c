"""Coinbase Exchange public REST endpoints over the simulated market.

Facts from docs.cdp.coinbase.com (Exchange REST API reference: "Get all known trading pairs",
"Get product trades", "Get product candles", "Get product ticker", "Get product stats",
"Pagination") and `docs/apis.md`: trades newest first, `limit` <= 1000 (default 1000),
`after=<id>` pages to older ids, `before=<id>` to newer ids, headers `CB-BEFORE` (newest id of
the page) and `CB-AFTER` (oldest id); candles `[time, low, high, open, close, volume]` newest first,
at most 300 per request, no row for an empty bucket; errors are `{"message": "..."}`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal

from coinlake.sandbox.clock import to_us
from coinlake.sandbox.market import Market
from coinlake.sandbox.responses import BadParam, Response, parse_time
from coinlake.sandbox.tape import Tape

GRANULARITIES = (60, 300, 900, 3600, 21600, 86400)
MAX_CANDLES = 300
MAX_TRADES = 1000
DAY_US = 86_400_000_000

Query = Mapping[str, str]
Handler = Callable[[Query], Response]


def message(status: int, text: str) -> Response:
    """A Coinbase error: `{"message": text}` with `status`."""
    return Response(status, {"message": text})


NOT_FOUND = message(404, "NotFound")
# Observed body of a 429 on the public endpoints; Coinbase documents no Retry-After header.
RATE_LIMITED = message(429, "Public rate limit exceeded")


class CoinbaseApi:
    """Routes `/products...` paths to handlers."""

    def __init__(self, market: Market) -> None:
        self.market = market

    def route(self, parts: list[str]) -> tuple[str, Handler] | None:
        """(endpoint name, handler) for path segments after `/coinbase`, or None."""
        if not parts or parts[0] != "products":
            return None
        if len(parts) == 1:
            return "coinbase.products", lambda _q: self.products()
        product = parts[1]
        if len(parts) == 2:
            return "coinbase.product", lambda _q: self.product(product)
        if len(parts) == 3:
            handlers: dict[str, tuple[str, Handler]] = {
                "ticker": ("coinbase.ticker", lambda _q: self.ticker(product)),
                "trades": ("coinbase.trades", lambda q: self.trades(product, q)),
                "candles": ("coinbase.candles", lambda q: self.candles(product, q)),
                "stats": ("coinbase.stats", lambda _q: self.stats(product)),
            }
            return handlers.get(parts[2])
        return None

    # -- helpers -----------------------------------------------------------------------------
    def _tape(self, product: str) -> Tape:
        try:
            return self.market.tape(product)
        except KeyError:
            raise BadParam(NOT_FOUND) from None

    @staticmethod
    def _units(units: int) -> str:
        return format(Decimal(units).scaleb(-8), "f")

    # -- endpoints ---------------------------------------------------------------------------
    def product_object(self, product: str) -> dict[str, object]:
        """The product object, field for field as GET /products returns it."""
        inst = self._tape(product).instrument
        return {
            "id": inst.product_id,
            "base_currency": inst.base_currency,
            "quote_currency": inst.quote_currency,
            "quote_increment": format(inst.quote_increment, "f"),
            "base_increment": format(inst.base_increment, "f"),
            "display_name": inst.product_id,
            "min_market_funds": "1",
            "margin_enabled": False,
            "post_only": False,
            "limit_only": False,
            "cancel_only": False,
            "status": "online",
            "status_message": "",
            "trading_disabled": False,
            "fx_stablecoin": False,
            "max_slippage_percentage": "0.02000000",
            "auction_mode": False,
        }

    def products(self) -> Response:
        """GET /products."""
        return Response(200, [self.product_object(p) for p in self.market.products])

    def product(self, product: str) -> Response:
        """GET /products/{id}."""
        return Response(200, self.product_object(product))

    def ticker(self, product: str) -> Response:
        """GET /products/{id}/ticker: the last trade, a one-tick spread and the 24 h volume."""
        tape = self._tape(product)
        now = self.market.clock.now_us()
        last = tape.newest(now)
        if last is None:
            return NOT_FOUND
        tick = tape.instrument.quote_increment
        units, _ = tape.volume(now - DAY_US, now + 1, now)
        return Response(
            200,
            {
                "ask": format(last.price + tick, "f"),
                "bid": format(max(tick, last.price - tick), "f"),
                "volume": self._units(units),
                "trade_id": last.trade_id,
                "price": format(last.price, "f"),
                "size": format(last.size, "f"),
                "time": last.time.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            },
        )

    def stats(self, product: str) -> Response:
        """GET /products/{id}/stats: 24 h open/high/low/last/volume and the 30-day volume."""
        tape = self._tape(product)
        now = self.market.clock.now_us()
        last = tape.newest(now)
        if last is None:
            return NOT_FOUND
        day = tape.agg(now - DAY_US, now + 1, now)
        month_units, _ = tape.volume(now - 30 * DAY_US, now + 1, now)
        last_price = format(last.price, "f")
        body: dict[str, object] = {
            "open": format(tape.price_of(day.open), "f") if day else last_price,
            "high": format(tape.price_of(day.high), "f") if day else last_price,
            "low": format(tape.price_of(day.low), "f") if day else last_price,
            "last": last_price,
            "volume": self._units(day.volume_units if day else 0),
            "volume_30day": self._units(month_units),
        }
        return Response(200, body)

    def trades(self, product: str, query: Query) -> Response:
        """GET /products/{id}/trades with `limit`, `after`, `before`."""
        tape = self._tape(product)
        limit = _int_param(query, "limit", MAX_TRADES)
        if not 1 <= limit <= MAX_TRADES:
            # ccxt reports Coinbase's own message for an out-of-range limit this way.
            raise BadParam(message(400, "Invalid parameter range - limit"))
        after = _opt_int(query, "after")
        before = _opt_int(query, "before")
        now = self.market.clock.now_us()
        rows = []
        if before is not None and after is None:
            # The page just above the cursor: the `limit` lowest ids > before, shown newest first.
            for trade in tape.iter_up(before + 1, now):
                rows.append(trade)
                if len(rows) == limit:
                    break
            rows.reverse()
        else:
            top = (after - 1) if after is not None else (1 << 62)
            for trade in tape.iter_down(top, now):
                rows.append(trade)
                if len(rows) == limit:
                    break
        headers = {}
        if rows:
            headers = {"CB-BEFORE": str(rows[0].trade_id), "CB-AFTER": str(rows[-1].trade_id)}
        return Response(200, [t.to_coinbase() for t in rows], headers)

    def candles(self, product: str, query: Query) -> Response:
        """GET /products/{id}/candles with `granularity`, `start`, `end`."""
        tape = self._tape(product)
        granularity = _int_param(query, "granularity", 60, error="Unsupported granularity")
        if granularity not in GRANULARITIES:
            raise BadParam(message(400, "Unsupported granularity"))
        now = self.market.clock.now()
        start_text, end_text = query.get("start"), query.get("end")
        if start_text and end_text:
            start, end = parse_time(start_text), parse_time(end_text)
            if start is None:
                raise BadParam(message(400, "Invalid start"))
            if end is None:
                raise BadParam(message(400, "Invalid end"))
            if end < start:
                raise BadParam(message(400, "start must be before end"))
        else:  # "If either one of the start or end fields are not provided then both are ignored"
            end = now
            start = now - timedelta(seconds=granularity * MAX_CANDLES)
        if (end - start).total_seconds() / granularity > MAX_CANDLES:
            raise BadParam(
                message(
                    400,
                    "granularity too small for the requested time range. "
                    "Count of aggregations requested exceeds 300",
                )
            )
        g_us = granularity * 1_000_000
        first = to_us(start) // g_us * g_us
        last = max(first, math.ceil(to_us(end) / g_us) * g_us - g_us)
        rows: list[list[object]] = []
        now_us = to_us(now)
        bucket = last
        while bucket >= first:
            agg = tape.agg(bucket, bucket + g_us, now_us)
            if agg is not None:
                rows.append(
                    [
                        bucket // 1_000_000,
                        tape.price_of(agg.low),
                        tape.price_of(agg.high),
                        tape.price_of(agg.open),
                        tape.price_of(agg.close),
                        Decimal(agg.volume_units).scaleb(-8),
                    ]
                )
            bucket -= g_us
        return Response(200, rows)


def _int_param(query: Query, name: str, default: int, error: str | None = None) -> int:
    value = _opt_int(query, name, error)
    return default if value is None else value


def _opt_int(query: Query, name: str, error: str | None = None) -> int | None:
    text = query.get(name)
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise BadParam(message(400, error or f"Invalid {name}")) from None
