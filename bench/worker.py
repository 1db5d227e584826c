"""One measured run, in its own process: `python -m bench.worker <kind> <lake> [options]`.

Kinds:
- `duckdb`, `spark`: coinlake's `run_transform` (all layers, full refresh) on that engine;
- `pandas`: the pandas baseline (`bench/pandas_baseline.py`);
- `floor`: DuckDB reads the same Bronze JSON and writes it straight to one Parquet file;
- `incremental`: land one new page, then an incremental `run_transform` (DuckDB), `--reps`
  times; reports each run's seconds. `--case new-day` lands each page in a new day partition
  (after all the data), `--case today` in the lake's last day (a partition already holding
  ~1/10 of the product's rows), as a run every few minutes does; either way Silver must end with
  exactly the pages' rows more than it had.

Prints one JSON line: `{"seconds": <time of the measured work>, ...}` (the parent also times the
whole process and samples its memory).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench import lakes

PREFIX = "bronze/source=coinbase/dataset=trades"


def _transform(lake: Path, engine_name: str, threads: int, memory_limit: str) -> dict[str, Any]:
    from coinlake.app.transform import make_engine
    from coinlake.storage.local import LocalStore
    from coinlake.transform.runner import run_transform

    started = time.perf_counter()  # engine start included (a Spark session's ~5 s)
    engine = make_engine(engine_name, threads=threads, memory_limit=memory_limit)
    try:
        summaries = run_transform(LocalStore(lake), engine, "all", full_refresh=True)
        seconds = time.perf_counter() - started
    finally:
        engine.close()
    silver = next(s for s in summaries if s.table == "silver.trades")
    gold = next(s for s in summaries if s.table == "gold.trades_hourly")
    return {
        "seconds": seconds,
        "rows_in": silver.rows_in,
        "silver_rows": silver.rows_written,
        "silver_table_rows": silver_rows(lake),
        "quarantined": silver.rows_quarantined,
        "gold_rows": gold.rows_written,
    }


def silver_rows(lake: Path) -> int:
    """Rows in the lake's `silver/trades` now (from the Parquet footers)."""
    import duckdb

    files = lake / "silver" / "trades"
    if not any(files.rglob("*.parquet")):
        return 0
    con = duckdb.connect()
    try:
        row = con.execute(f"SELECT count(*) FROM read_parquet('{files}/**/*.parquet')").fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def _floor(lake: Path, threads: int) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(config={"threads": threads})
    pattern = str(lake / PREFIX / "**" / "*.json")
    columns = (
        "{'meta': 'STRUCT(fetched_at VARCHAR, product VARCHAR)', "
        "'body': 'STRUCT(\"time\" VARCHAR, trade_id VARCHAR, price VARCHAR, size VARCHAR, "
        "side VARCHAR)[]'}"
    )
    out = lake / "floor.parquet"
    started = time.perf_counter()
    row = con.execute(
        f"COPY (SELECT meta.product, meta.fetched_at, unnest(body, recursive := true) "
        f"FROM read_json('{pattern}', columns={columns}, format='unstructured')) "
        f"TO '{out}' (FORMAT parquet, COMPRESSION zstd)"
    ).fetchone()
    return {"seconds": time.perf_counter() - started, "rows": int(row[0]) if row else 0}


def _pandas(lake: Path) -> dict[str, Any]:
    from bench import pandas_baseline

    started = time.perf_counter()
    counts = pandas_baseline.run(lake)
    return {"seconds": time.perf_counter() - started, **counts}


def _incremental(
    lake: Path, case: str, reps: int, threads: int, memory_limit: str
) -> dict[str, Any]:
    from coinlake.app.transform import make_engine
    from coinlake.storage.local import LocalStore
    from coinlake.transform.runner import run_transform

    before = silver_rows(lake)
    land = lakes.land_new_page if case == "new-day" else lakes.land_page_today
    times = []
    for number in range(reps):
        land(lake, number)
        # Runs come minutes apart, long after the kernel flushed the last one's writes; here they
        # follow each other (and the lake's build, ~300 MB at 30M) at once, and a commit's
        # fsyncs would wait behind that write-back. Flush first, outside the measured time.
        os.sync()
        engine = make_engine("duckdb", threads=threads, memory_limit=memory_limit)
        try:
            started = time.perf_counter()
            summaries = run_transform(LocalStore(lake), engine, "all")
            times.append(time.perf_counter() - started)
        finally:
            engine.close()
        gold = next(s for s in summaries if s.table == "gold.trades_hourly")
        if gold.partitions_rewritten < 1:
            raise RuntimeError("the incremental run rewrote no Gold partition")
    after = silver_rows(lake)
    if after != before + reps * lakes.PAGE_SIZE:
        raise RuntimeError(
            f"Silver went from {before:,} to {after:,} rows after {reps} new pages of "
            f"{lakes.PAGE_SIZE:,} trades"
        )
    return {"seconds": sorted(times)[len(times) // 2], "times": times, "silver_rows": after}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("duckdb", "spark", "pandas", "floor", "incremental"))
    parser.add_argument("lake", type=Path)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--case", choices=("new-day", "today"), default="new-day")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.kind in ("duckdb", "spark"):
        result = _transform(args.lake, args.kind, args.threads, args.memory_limit)
    elif args.kind == "floor":
        result = _floor(args.lake, args.threads)
    elif args.kind == "pandas":
        result = _pandas(args.lake)
    else:
        result = _incremental(args.lake, args.case, args.reps, args.threads, args.memory_limit)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
