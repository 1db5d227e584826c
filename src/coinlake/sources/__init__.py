"""Sources: the upstream APIs, one package per API, each on one shared HTTP client.

- `http`: `ApiClient` (timeouts, rate limit, retries, error translation) returning `RawResponse`
  (exact body + redacted request) for Bronze landing; `redact`: secret removal.
- `retry`: the one retry policy; `ratelimit`: the token bucket (each API sets its budget).
- `paging`: how a dataset pages and what its Bronze keys look like (`Dataset`, `SourceSpec`).
- `registry`: every source, declared by its package and registered in one place; `Sources`.
- `idwalk`: the id walk over `after` cursors (`TradesWalk`, `ExactWalk`), its pages and the
  `IdWalkPager` protocol; `idsearch`: the id at a time.
- `coinbase/` (`client`, `parse`, `keys`, `source`): trades walks, candles.
- `coingecko/` (`client`, `parse`, `keys`, `source`): `/simple/price` snapshots and
  market_chart/range history. See `docs/adding-a-source.md` for a new one.

Fetching and parsing are separate steps so a body that fails to parse is still landed. Typical
use by an entry point (one source per API, shared by every product and thread):

    with CoinbaseSource.from_settings(settings) as coinbase:
        walk = TradesWalk(stop_at_id=cursor)          # cursor: last landed id, or None
        for page in coinbase.walk_trades("BTC-USD", walk):
            land(page.raw, parse_error=page.error)    # raw.body, raw.request, raw.kept_headers()
            save_checkpoint(walk.checkpoint)          # after the data it describes
        if walk.reached:
            save_cursor(walk.checkpoint.new_cursor)

    with CoinGeckoSource.from_settings(settings, api_key=key_from_secrets) as gecko:
        raw = gecko.fetch_simple_price(settings.coins, settings.vs_currencies)
        land(raw)
        snapshots = parse_simple_price(raw.body, vs_currencies=settings.vs_currencies)
"""
