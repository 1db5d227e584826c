"""CoinGecko: `/simple/price` snapshots and `/coins/{id}/market_chart/range` history.

- `client`: `CoinGeckoSource` (Demo/Pro key header, one rate limiter per API).
- `parse`: the exact response bodies into `PriceSnapshot` and `MarketChartPoint`.
- `source`: how the registry sees this API (its datasets, their paging and Bronze keys).
"""

from coinlake.sources.coingecko.client import (
    CoinGeckoSource,
    MarketChartPage,
    market_chart_windows,
)
from coinlake.sources.coingecko.parse import parse_market_chart, parse_simple_price

__all__ = [
    "CoinGeckoSource",
    "MarketChartPage",
    "market_chart_windows",
    "parse_market_chart",
    "parse_simple_price",
]
