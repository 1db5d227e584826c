"""Query latency and bytes scanned for the analytic queries on a year of hourly Gold.

Writes Gold `trades_hourly` directly (no Bronze, no transform): 10 products x 365 days x 24 hours,
laid out as the transform lays it out (one Parquet file per product and year, ADR 0005). Then
runs each query in `coinlake.query.analytics` through the DuckDB views (`coinlake.connect`) and
reports:

- warm latency: median and best of N timed runs in one connection after one warm-up (views
  bound, Parquet footers and file pages cached);
- cold latency: median of N runs, each the first query of a new connection (`coinlake.connect`,
  not timed, then the query, timed) right after the table's files were dropped from the OS page
  cache (`posix_fadvise(DONTNEED)`: clean pages of those files leave the cache, no root needed;
  where it is unavailable the report says `cache_dropped: false`);
- files scanned / files in the table, from DuckDB's EXPLAIN ANALYZE (partition pruning);
- bytes DuckDB read (EXPLAIN ANALYZE "Data Read": the column chunks it fetched);
- bytes of the partitions the query touches (sum of their file sizes): the ceiling of what
  Athena scans under the generated partition projection (it also reads only the needed columns).

Usage: python -m bench.query_bench [--lake DIR] [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import coinlake
from coinlake.query.analytics import QUERIES, analytic_query
from coinlake.query.explain import scan_stats
from coinlake.query.sample import write_gold_year
from coinlake.tables.catalog import sql_table

PRODUCTS = (
    "BTC-USD",
    "ETH-USD",
    "SOL-USD",
    "ADA-USD",
    "DOGE-USD",
    "XRP-USD",
    "LTC-USD",
    "DOT-USD",
    "AVAX-USD",
    "LINK-USD",
)
VWAP_RANGE = ("2025-03-01", "2025-03-31")
"""The hourly VWAP query reads one product for one month."""


def _files(root: Path) -> list[Path]:
    return sorted((root / sql_table("gold_trades_hourly").path).rglob("*.parquet"))


def _partition_bytes(root: Path, name: str) -> tuple[int, int]:
    """(bytes of the files the query's partition filter keeps, files kept). A filtered query
    keeps BTC-USD's partitions whose time value (a `date`, `year`...) overlaps its days."""
    files = _files(root)
    if name in ("hourly_vwap", "one_day"):
        first, last = VWAP_RANGE if name == "hourly_vwap" else (VWAP_RANGE[0], VWAP_RANGE[0])

        def overlaps(value: str) -> bool:
            return first[: len(value)] <= value <= last[: len(value)]

        files = [
            f
            for f in files
            if f.parent.parent.name == "product_id=BTC-USD"
            and overlaps(f.parent.name.partition("=")[2])
        ]
    return sum(f.stat().st_size for f in files), len(files)


def drop_cache(files: list[Path]) -> bool:
    """Evict the files' pages from the OS page cache; False where that is not possible."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return False
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return True


def _warm(root: Path, sql: str, runs: int) -> tuple[list[float], int]:
    con = coinlake.connect(root)
    con.sql(sql).to_arrow_table()  # warm-up
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = con.sql(sql).to_arrow_table()
        timings.append(time.perf_counter() - t0)
    con.close()
    return timings, out.num_rows


def _cold(root: Path, sql: str, runs: int) -> tuple[list[float], bool]:
    timings = []
    dropped = True
    for _ in range(runs):
        dropped = drop_cache(_files(root)) and dropped
        con = coinlake.connect(root)
        t0 = time.perf_counter()
        con.sql(sql).to_arrow_table()
        timings.append(time.perf_counter() - t0)
        con.close()
    return timings, dropped


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def run(root: Path, runs: int) -> dict[str, object]:
    started = time.perf_counter()
    if not (root / sql_table("gold_trades_hourly").path).exists():
        counts = dict(write_gold_year(root, PRODUCTS))
    else:
        counts = {"rows": -1, "partitions": -1}
    generate_s = time.perf_counter() - started
    table_bytes = sum(f.stat().st_size for f in _files(root))
    con = coinlake.connect(root)
    (rows,) = con.execute("SELECT count(*) FROM coinlake.gold_trades_hourly").fetchall()[0]
    results: dict[str, object] = {}
    cache_dropped = True
    for name in QUERIES:
        sql = analytic_query(name, start=VWAP_RANGE[0], end=VWAP_RANGE[1])
        warm, rows_out = _warm(root, sql, runs)
        cold, dropped = _cold(root, sql, runs)
        cache_dropped = cache_dropped and dropped
        stats = scan_stats(con, sql)
        part_bytes, part_files = _partition_bytes(root, name)
        results[name] = {
            "rows_out": rows_out,
            "median_ms": _ms(statistics.median(warm)),
            "best_ms": _ms(min(warm)),
            "cold_median_ms": _ms(statistics.median(cold)),
            "cold_best_ms": _ms(min(cold)),
            "files_scanned": stats.files_scanned,
            "files_total": stats.files_total,
            "duckdb_bytes_read": stats.bytes_read,
            "partition_bytes": part_bytes,
            "partition_files": part_files,
        }
    con.close()
    return {
        "lake": str(root),
        "gold_rows": rows,
        "gold_files": len(_files(root)),
        "written": counts,
        "generate_s": round(generate_s, 1),
        "table_bytes": table_bytes,
        "runs": runs,
        "cache_dropped": cache_dropped,
        "queries": results,
    }


def _print(report: dict[str, object]) -> None:
    print(
        f"gold_trades_hourly: {report['gold_rows']:,} rows in {report['gold_files']} files, "
        f"{report['table_bytes']:,} bytes of Parquet (generated in {report['generate_s']} s)"
    )
    print(
        f"warm: repeated in one connection; cold: first query of a new connection, "
        f"page cache dropped: {report['cache_dropped']}"
    )
    header = (
        f"{'query':<14}{'rows':>6}{'warm ms':>9}{'best':>7}{'cold ms':>9}{'files':>11}"
        f"{'duckdb read':>13}{'partition bytes':>17}"
    )
    print(header)
    queries = report["queries"]
    assert isinstance(queries, dict)
    for name, q in queries.items():
        files = f"{q['files_scanned']}/{q['files_total']}"
        print(
            f"{name:<14}{q['rows_out']:>6}{q['median_ms']:>9}{q['best_ms']:>7}"
            f"{q['cold_median_ms']:>9}{files:>11}"
            f"{q['duckdb_bytes_read']:>13,}{q['partition_bytes']:>17,}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, help="reuse or create the Gold lake here")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coinlake-bench-") as tmp:
        root = args.lake or Path(tmp)
        report = run(root, args.runs)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)


if __name__ == "__main__":
    main()
