"""Ingestion: API responses into Bronze, gapless and idempotent (see `docs/ingest.md`).

- `run`: `run_ingest` / `run_backfill` over every product and dataset, each independent, with a
  run record; `Sources` builds the API sources once per run.
- `trades`: Coinbase trades per product (lease, cursor, checkpoint after each landed page).
- `candles`, `coingecko`: candles, `/simple/price` snapshots and market_chart/range history.
- `landing`: the envelope from a response, create-only landing, the success log line.
- `summary`: per-item counts, the run summary and the progress port.
- `since`: parsing `--since`/`--from`/`--to` values.

Entry points (CLI, Lambda) build the store, settings and `Sources`, call `run_*`, and turn
`RunSummary.failed` into their exit code or error.
"""
