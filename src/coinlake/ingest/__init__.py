"""Ingestion: API responses into Bronze, gapless and idempotent (see `docs/ingest.md`).

- `run`: `run_ingest` / `run_backfill` iterate the source registry: one job per (source,
  dataset, item), each independent, with a run record; `Sources` opens each API once per run.
- `id_walk` (+ `pages`): id-walked datasets per product (lease, cursor, checkpoint after each
  landed page): Coinbase trades. `id_backfill` walks a time range of them; both are made of
  the steps in `walk_steps`.
- `snapshot`: snapshot and windowed datasets, one object per request: `/simple/price`, candles,
  market_chart/range history.
- `landing`: the envelope from a response, create-only landing, the success log line.
- `summary`: per-item counts, the run summary and the progress port.
- `since`: parsing `--since`/`--from`/`--to` values.

Entry points (CLI, scheduler, Lambda) call `coinlake.app.ingest`, which opens the `Sources`,
calls `run_*`, and hands back the summary; they turn `RunSummary.failed` into their exit code
or error.
"""
