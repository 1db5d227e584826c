"""Coinbase Exchange: trades walked down by trade id, the id search, candles, products.

- `client`: `CoinbaseSource` (one rate limiter per API) with `walk_trades`, `find_trade_id_at`,
  `plan_backfill`, `iter_candles`, `fetch_products`.
- `trades_walk`: the trades paginator (a state machine over `after` cursors).
- `idsearch`: the trade id for a time (exponential probe, then bisection).
- `parse`: the exact response bodies into `Trade`, `Candle`, `Product`.
- `source`: how the registry sees this API (its datasets, their paging and Bronze keys).
"""

from coinlake.sources.coinbase.client import (
    GRANULARITIES,
    CandlesPage,
    CoinbaseSource,
    TradesPage,
    candle_windows,
)
from coinlake.sources.coinbase.parse import parse_candles, parse_products, parse_trades

__all__ = [
    "GRANULARITIES",
    "CandlesPage",
    "CoinbaseSource",
    "TradesPage",
    "candle_windows",
    "parse_candles",
    "parse_products",
    "parse_trades",
]
