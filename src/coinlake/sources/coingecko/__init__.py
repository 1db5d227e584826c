"""CoinGecko: `/simple/price` snapshots and `/coins/{id}/market_chart/range` history.

- `client`: `CoinGeckoSource` (Demo/Pro key header, one rate limiter per API).
- `parse`: the exact response bodies into `PriceSnapshot` and `MarketChartPoint`.
- `source`: how the registry sees this API (its datasets, their paging and Bronze keys).

The package imports nothing on its own: the registry loads `source`, which builds the client
(and imports httpx) only when a run first asks for it, so the ingestion Lambda's cold import
stays small. Import the modules themselves (`coinlake.sources.coingecko.client`).
"""
