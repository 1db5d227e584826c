"""Coinbase Exchange: trades walked down by trade id, the id search, candles, products.

- `client`: `CoinbaseSource` (one rate limiter per API) with `walk_trades`, `find_trade_id_at`,
  `plan_backfill`, `iter_candles`, `fetch_products`.
- `trades_walk`: the trades paginator (a state machine over `after` cursors).
- `idsearch`: the trade id for a time (exponential probe, then bisection).
- `parse`: the exact response bodies into `Trade`, `Candle`, `Product`.
- `source`: how the registry sees this API (its datasets, their paging and Bronze keys).

The package imports nothing on its own: the registry loads `source`, which builds the client
(and imports httpx) only when a run first asks for it, so the ingestion Lambda's cold import
stays small. Import the modules themselves (`coinlake.sources.coinbase.client`).
"""
