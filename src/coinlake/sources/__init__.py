"""Sources: the upstream APIs, one module per API, each on one shared HTTP client.

- `http`: `ApiClient` (timeouts, rate limit, retries, error translation) returning `RawResponse`
  (exact body + redacted request) for Bronze landing; `redact`: secret removal.
- `retry`: the one retry policy; `ratelimit`: token bucket per API.
- `coinbase` (+ `coinbase_parse`, `pagination`, `idsearch`): trades walks, id search, candles.
- `coingecko` (+ `coingecko_parse`): `/simple/price` snapshots and market_chart/range history.

Fetching and parsing are separate steps so a body that fails to parse is still landed.
"""
