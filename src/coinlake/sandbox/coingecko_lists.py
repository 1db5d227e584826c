"""The sandbox's CoinGecko reference lists: `/coins/list` and `/simple/supported_vs_currencies`.

Shapes from docs.coingecko.com ("Coins List (ID Map)": an array of `{"id", "symbol", "name"}`,
plus `"platforms": {...}` with `include_platform=true`; "Supported Currencies List": an array of
lower-case codes). The sandbox lists exactly what it can price: the market's coins (the real list
is ~17,000 coins; a few unpriced ones are added so "known but not tracked" can be tested) and its
quote currencies.
"""

from __future__ import annotations

from coinlake.sandbox.catalog import CATALOG
from coinlake.sandbox.market import VS_CURRENCIES, Market
from coinlake.sandbox.responses import Response

_UNPRICED = (("bitcoin-cash", "bch", "Bitcoin Cash"), ("tether", "usdt", "Tether"))
"""Real CoinGecko ids the sandbox lists without a market of their own."""


def coins_list(market: Market, include_platform: bool) -> Response:
    """GET /coins/list: every coin the sandbox knows, sorted by id like the real answer."""
    names = {i.coin_id: (i.symbol, i.name) for i in CATALOG.values()}
    rows = [(coin, *names[coin]) for coin in market.coins]
    rows += [row for row in _UNPRICED if row[0] not in market.coins]
    body: list[dict[str, object]] = []
    for coin, symbol, name in sorted(rows):
        item: dict[str, object] = {"id": coin, "symbol": symbol, "name": name}
        if include_platform:
            item["platforms"] = {}
        body.append(item)
    return Response(200, body)


def supported_vs_currencies() -> Response:
    """GET /simple/supported_vs_currencies: the quote currencies the sandbox prices in."""
    return Response(200, list(VS_CURRENCIES))
