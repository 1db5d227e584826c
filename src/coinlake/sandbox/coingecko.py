"""CoinGecko API v3 endpoints over the simulated market.

Facts from docs.coingecko.com (API reference for /simple/price, /coins/markets,
/coins/{id}/market_chart, /market_chart/range, /ohlc; "Errors & Rate Limits") and `docs/apis.md`.
Prices are the matching -USD product's last trade (EUR through the market's FX walk); numbers are
JSON numbers. A missing required parameter is answered `400 {"error": "Missing parameter <name>"}`
(our best reading of observed answers; the docs do not print the body).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Context, Decimal

from coinlake.sandbox.coingecko_lists import coins_list, supported_vs_currencies
from coinlake.sandbox.market import VS_CURRENCIES, Market
from coinlake.sandbox.responses import BadParam, Response, parse_time

DAY_S = 86_400
Query = Mapping[str, str]
Handler = Callable[[Query, "Caller"], Response]
_OHLC_DAYS = ("1", "7", "14", "30", "90", "180", "365", "max")
_PCT_WINDOWS = {"1h": 3600, "24h": DAY_S, "7d": 7 * DAY_S, "14d": 14 * DAY_S, "30d": 30 * DAY_S,
                "200d": 200 * DAY_S, "1y": 365 * DAY_S}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: `keyless`, `demo` or `pro` (the plan decides the history limit)."""

    tier: str = "keyless"


def error(status: int, text: str) -> Response:
    """CoinGecko's plain error: `{"error": text}`."""
    return Response(status, {"error": text})


def status_error(status: int, code: int, text: str) -> Response:
    """CoinGecko's coded error: `{"status": {"error_code": code, "error_message": text}}`."""
    return Response(status, {"status": {"error_code": code, "error_message": text}})


COIN_NOT_FOUND = error(404, "coin not found")
RATE_LIMIT_TEXT = (
    "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing "
    "to subscribe to our API plans for higher rate limits."
)
# Observed verbatim (2024) for keyless/demo calls reaching more than 365 days back.
HISTORY_LIMIT = Response(
    401,
    {
        "error": {
            "status": {
                "error_code": 10012,
                "error_message": "Your request exceeds the allowed time range. Public API users "
                "are limited to querying historical data within the past 365 days. Upgrade to a "
                "paid plan to enjoy full historical data access: "
                "https://www.coingecko.com/en/api/pricing. ",
            }
        }
    },
)


def _missing(name: str) -> BadParam:
    return BadParam(error(400, f"Missing parameter {name}"))


def _flag(query: Query, name: str) -> bool:
    return query.get(name, "false").strip().lower() == "true"


# Market caps reach 1e12 and "full" keeps 18 places: more digits than the default 28-digit
# context holds, so rounding runs in a wider one.
_WIDE = Context(prec=60)


def _round(value: Decimal, precision: str | None) -> Decimal:
    """`precision` = "full", "0".."18" or None (default: at most 8 places, no trailing zeros)."""
    if precision == "full":
        places = 18
    elif precision is not None and precision.isdigit() and int(precision) <= 18:
        return value.quantize(Decimal(1).scaleb(-int(precision)), ROUND_HALF_UP, _WIDE)
    else:
        places = 8
    rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP, _WIDE).normalize(_WIDE)
    return rounded if rounded != 0 else Decimal(0)


class CoinGeckoApi:
    """Routes `/api/v3/...` paths to handlers."""

    def __init__(self, market: Market) -> None:
        self.market = market

    def route(self, parts: list[str]) -> tuple[str, Handler] | None:
        """(endpoint name, handler) for path segments after `/api/v3`, or None."""
        if parts == ["ping"]:
            return "coingecko.ping", lambda _q, _c: Response(
                200, {"gecko_says": "(V3) To the Moon!"}
            )
        if parts == ["simple", "price"]:
            return "coingecko.simple_price", lambda q, _c: self.simple_price(q)
        if parts == ["simple", "supported_vs_currencies"]:
            return "coingecko.supported_vs_currencies", lambda _q, _c: supported_vs_currencies()
        if parts == ["coins", "list"]:
            return "coingecko.coins_list", lambda q, _c: coins_list(
                self.market, _flag(q, "include_platform")
            )
        if parts == ["coins", "markets"]:
            return "coingecko.markets", lambda q, _c: self.markets(q)
        if len(parts) >= 3 and parts[0] == "coins":
            coin, rest = parts[1], parts[2:]
            if rest == ["market_chart"]:
                return "coingecko.market_chart", lambda q, c: self.market_chart(coin, q, c)
            if rest == ["market_chart", "range"]:
                return "coingecko.market_chart_range", lambda q, c: self.chart_range(coin, q, c)
            if rest == ["ohlc"]:
                return "coingecko.ohlc", lambda q, c: self.ohlc(coin, q, c)
        return None

    # -- helpers -----------------------------------------------------------------------------
    def _now_s(self) -> int:
        return self.market.clock.now_us() // 1_000_000

    def _coin(self, coin: str) -> str:
        if self.market.product_of_coin(coin) is None:
            raise BadParam(COIN_NOT_FOUND)
        return coin

    def _vs(self, query: Query) -> str:
        vs = query.get("vs_currency", "").strip().lower()
        if not vs:
            raise _missing("vs_currency")
        if vs not in VS_CURRENCIES:
            raise BadParam(error(400, "invalid vs_currency"))
        return vs

    def _price(self, coin: str, vs: str, t_s: int) -> Decimal | None:
        found = self.market.usd_price_at(coin, t_s * 1_000_000)
        return None if found is None else found[0] * self.market.fx(vs, t_s * 1_000_000)

    def _price_then(self, coin: str, vs: str, t_s: int) -> Decimal | None:
        """Price at `t_s`, or the first price after it when the tape starts later."""
        price = self._price(coin, vs, t_s)
        if price is not None:
            return price
        product = self.market.product_of_coin(coin)
        assert product is not None
        now_us = self.market.clock.now_us()
        first = self.market.tape(product).first_at_or_after(t_s * 1_000_000, now_us)
        return None if first is None else first.price * self.market.fx(vs, t_s * 1_000_000)

    def _supply(self, coin: str) -> Decimal:
        product = self.market.product_of_coin(coin)
        assert product is not None
        return self.market.instrument(product).circulating_supply

    def _volume_24h(self, coin: str, vs: str, t_s: int) -> Decimal:
        t_us = (t_s + 1) * 1_000_000
        usd = self.market.usd_volume(coin, t_us - DAY_S * 1_000_000, t_us)
        return usd * self.market.fx(vs, t_s * 1_000_000)

    # -- /simple/price -----------------------------------------------------------------------
    def simple_price(self, query: Query) -> Response:
        """GET /simple/price: only requested keys; unknown ids absent; none known => `{}`."""
        ids = [i.strip() for i in query.get("ids", "").split(",") if i.strip()]
        if not ids:
            raise _missing("ids")
        wanted = [v.strip().lower() for v in query.get("vs_currencies", "").split(",") if v.strip()]
        if not wanted:
            raise _missing("vs_currencies")
        precision = query.get("precision")
        now = self._now_s()
        body: dict[str, object] = {}
        for coin in dict.fromkeys(ids):
            if self.market.product_of_coin(coin) is None:
                continue
            found = self.market.usd_price_at(coin, now * 1_000_000)
            if found is None:
                continue
            entry: dict[str, object] = {}
            for vs in (v for v in dict.fromkeys(wanted) if v in VS_CURRENCIES):
                price = self._price(coin, vs, now)
                assert price is not None
                entry[vs] = _round(price, precision)
                if _flag(query, "include_market_cap"):
                    entry[f"{vs}_market_cap"] = _round(price * self._supply(coin), precision)
                if _flag(query, "include_24hr_vol"):
                    entry[f"{vs}_24h_vol"] = _round(self._volume_24h(coin, vs, now), precision)
                if _flag(query, "include_24hr_change"):
                    before = self._price_then(coin, vs, now - DAY_S)
                    entry[f"{vs}_24h_change"] = (
                        None if not before else _round((price / before - 1) * 100, precision)
                    )
            if _flag(query, "include_last_updated_at"):
                entry["last_updated_at"] = found[1] // 1_000_000
            body[coin] = entry
        return Response(200, body)

    # -- /coins/markets ----------------------------------------------------------------------
    def markets(self, query: Query) -> Response:
        """GET /coins/markets: one object per coin, ordered and paged like the real endpoint."""
        vs = self._vs(query)
        ids = [i.strip() for i in query.get("ids", "").split(",") if i.strip()]
        coins = [c for c in self.market.coins if not ids or c in ids]
        precision = query.get("precision")
        windows = [
            w.strip() for w in query.get("price_change_percentage", "").split(",") if w.strip()
        ]
        sparkline = _flag(query, "sparkline")
        now = self._now_s()
        made = [self._market_row(c, vs, now, precision, windows, sparkline) for c in coins]
        rows = [r for r in made if r is not None]
        by_cap = sorted(rows, key=lambda r: _sort_key(r["market_cap"]), reverse=True)
        for rank, row in enumerate(by_cap, start=1):
            row["market_cap_rank"] = rank
        order = query.get("order", "market_cap_desc")
        keys: dict[str, tuple[str, bool]] = {
            "market_cap_desc": ("market_cap", True),
            "market_cap_asc": ("market_cap", False),
            "volume_desc": ("total_volume", True),
            "volume_asc": ("total_volume", False),
            "id_asc": ("id", False),
            "id_desc": ("id", True),
        }
        if order not in keys:
            raise BadParam(error(400, "invalid order"))
        key, reverse = keys[order]
        rows.sort(key=lambda r: _sort_key(r[key]), reverse=reverse)
        try:
            per_page = int(query.get("per_page", "100"))
            page = int(query.get("page", "1"))
        except ValueError:
            raise BadParam(error(400, "invalid per_page or page")) from None
        per_page = min(max(per_page, 1), 250)
        page = max(page, 1)
        return Response(200, rows[(page - 1) * per_page : page * per_page])

    def _market_row(
        self,
        coin: str,
        vs: str,
        now: int,
        precision: str | None,
        windows: list[str],
        sparkline: bool,
    ) -> dict[str, object] | None:
        product = self.market.product_of_coin(coin)
        assert product is not None
        found = self.market.usd_price_at(coin, now * 1_000_000)
        if found is None:
            return None
        inst = self.market.instrument(product)
        tape = self.market.tape(product)
        fx = self.market.fx(vs, now * 1_000_000)
        price = found[0] * fx
        supply = inst.circulating_supply
        before = self._price_then(coin, vs, now - DAY_S) or price
        now_us = now * 1_000_000
        day = tape.agg(now_us - DAY_S * 1_000_000, now_us + 1, self.market.clock.now_us())
        ever = tape.agg(tape.origin_us, now_us + 1, self.market.clock.now_us())
        assert day is not None and ever is not None

        def r(value: Decimal) -> Decimal:
            return _round(value, precision)

        high, low = tape.price_of(day.high) * fx, tape.price_of(day.low) * fx
        ath, atl = tape.price_of(ever.high) * fx, tape.price_of(ever.low) * fx
        row: dict[str, object] = {
            "id": coin,
            "symbol": inst.symbol,
            "name": inst.name,
            "image": f"https://coin-images.coingecko.com/coins/images/1/large/{coin}.png",
            "current_price": r(price),
            "market_cap": r(price * supply),
            "market_cap_rank": None,
            "fully_diluted_valuation": r(price * supply),
            "total_volume": r(self._volume_24h(coin, vs, now)),
            "high_24h": r(high),
            "low_24h": r(low),
            "price_change_24h": r(price - before),
            "price_change_percentage_24h": r((price / before - 1) * 100),
            "market_cap_change_24h": r((price - before) * supply),
            "market_cap_change_percentage_24h": r((price / before - 1) * 100),
            "circulating_supply": supply,
            "total_supply": supply,
            "max_supply": Decimal(21_000_000) if coin == "bitcoin" else None,
            "ath": r(ath),
            "ath_change_percentage": r((price / ath - 1) * 100),
            "ath_date": _iso_ms(ever.first_us),
            "atl": r(atl),
            "atl_change_percentage": r((price / atl - 1) * 100),
            "atl_date": _iso_ms(ever.first_us),
            "roi": None,
            "last_updated": _iso_ms(found[1]),
        }
        if sparkline:
            points = [self._price(coin, vs, t) for t in range(now - 7 * DAY_S, now + 1, 3600)]
            row["sparkline_in_7d"] = {"price": [r(p) for p in points if p is not None]}
        for window in windows:
            if window in _PCT_WINDOWS:
                then = self._price_then(coin, vs, now - _PCT_WINDOWS[window]) or price
                row[f"price_change_percentage_{window}_in_currency"] = r((price / then - 1) * 100)
        return row

    # -- charts ------------------------------------------------------------------------------
    def _series(
        self, coin: str, vs: str, points: list[int], precision: str | None
    ) -> dict[str, object]:
        prices: list[list[object]] = []
        caps: list[list[object]] = []
        volumes: list[list[object]] = []
        supply = self._supply(coin)
        for t in points:
            price = self._price(coin, vs, t)
            if price is None:
                continue
            ms = t * 1000
            prices.append([ms, _round(price, precision)])
            caps.append([ms, _round(price * supply, precision)])
            volumes.append([ms, _round(self._volume_24h(coin, vs, t), precision)])
        return {"prices": prices, "market_caps": caps, "total_volumes": volumes}

    @staticmethod
    def _grid(start_s: int, end_s: int, span_s: float, interval: str | None) -> list[int]:
        """Auto granularity: <= 1 day 5-minutely, <= 90 days hourly, else daily at 00:00 UTC."""
        if interval == "daily" or span_s > 90 * DAY_S:
            step = DAY_S
        elif span_s <= DAY_S:
            step = 300
        else:
            step = 3600
        first = -(-start_s // step) * step
        return list(range(first, end_s + 1, step))

    def _check_history(self, caller: Caller, oldest_s: float) -> None:
        if caller.tier != "pro" and oldest_s < self._now_s() - 365 * DAY_S:
            raise BadParam(HISTORY_LIMIT)

    def market_chart(self, coin: str, query: Query, caller: Caller) -> Response:
        """GET /coins/{id}/market_chart?vs_currency&days[&interval=daily]; last point at now."""
        self._coin(coin)
        vs = self._vs(query)
        days_text = query.get("days", "").strip()
        if not days_text:
            raise _missing("days")
        now = self._now_s()
        if days_text == "max":
            self._check_history(caller, float("-inf"))
            days = (now - self.market.origin_us // 1_000_000) / DAY_S
        else:
            try:
                days = float(days_text)
            except ValueError:
                raise BadParam(error(400, "invalid days")) from None
            if days <= 0:
                raise BadParam(error(400, "invalid days"))
            self._check_history(caller, now - days * DAY_S)
        interval = query.get("interval") or None
        if interval not in (None, "daily") and caller.tier != "pro":
            # Hourly and 5-minutely `interval` are paid features (docs: market_chart "interval").
            raise BadParam(status_error(401, 10005, "This request is limited Pro API subscribers"))
        if interval not in (None, "daily", "hourly", "5m"):
            raise BadParam(error(400, "invalid interval"))
        start = int(now - days * DAY_S)
        span = (
            days * DAY_S
            if interval is None
            else {"daily": 91, "hourly": 2, "5m": 1}[interval] * DAY_S
        )
        grid = [t for t in self._grid(start, now, span, interval) if t < now] + [now]
        return Response(200, self._series(coin, vs, grid, query.get("precision")))

    def chart_range(self, coin: str, query: Query, caller: Caller) -> Response:
        """GET /coins/{id}/market_chart/range?vs_currency&from&to (unix seconds or ISO dates)."""
        self._coin(coin)
        vs = self._vs(query)
        bounds: list[int] = []
        for name in ("from", "to"):
            text = query.get(name, "").strip()
            if not text:
                raise _missing(name)
            parsed = parse_time(text)
            if parsed is None:
                raise BadParam(error(400, f"invalid {name}"))
            bounds.append(int(parsed.timestamp()))
        start, end = bounds
        self._check_history(caller, start)
        end = min(end, self._now_s())
        if end < start:
            return Response(200, {"prices": [], "market_caps": [], "total_volumes": []})
        grid = self._grid(start, end, end - start, None)
        return Response(200, self._series(coin, vs, grid, query.get("precision")))

    def ohlc(self, coin: str, query: Query, caller: Caller) -> Response:
        """GET /coins/{id}/ohlc?vs_currency&days: `[ms, open, high, low, close]` at candle close."""
        self._coin(coin)
        vs = self._vs(query)
        days_text = query.get("days", "").strip()
        if not days_text:
            raise _missing("days")
        if days_text not in _OHLC_DAYS:
            raise BadParam(error(400, "invalid days"))
        now = self._now_s()
        if days_text == "max":
            self._check_history(caller, float("-inf"))
            days = max(1, -(-(now - self.market.origin_us // 1_000_000) // DAY_S))
        else:
            days = int(days_text)
        # Candle body: 30 minutes for 1-2 days, 4 hours for 3-30 days, 4 days beyond (docs: ohlc).
        width = 1800 if days <= 2 else 4 * 3600 if days <= 30 else 4 * DAY_S
        product = self.market.product_of_coin(coin)
        assert product is not None
        tape = self.market.tape(product)
        now_us = self.market.clock.now_us()
        precision = query.get("precision")
        rows: list[list[object]] = []
        close = -(-(now - days * DAY_S) // width) * width + width
        while close - width <= now:
            agg = tape.agg((close - width) * 1_000_000, close * 1_000_000, now_us)
            if agg is not None:
                fx = self.market.fx(vs, min(close, now) * 1_000_000)
                rows.append(
                    [close * 1000]
                    + [
                        _round(tape.price_of(v) * fx, precision)
                        for v in (agg.open, agg.high, agg.low, agg.close)
                    ]
                )
            close += width
        return Response(200, rows)


def _sort_key(value: object) -> tuple[Decimal, str]:
    return (value, "") if isinstance(value, Decimal) else (Decimal(0), str(value))


def _iso_ms(t_us: int) -> str:
    when = datetime.fromtimestamp(t_us // 1_000_000, UTC).replace(microsecond=t_us % 1_000_000)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
