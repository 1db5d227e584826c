"""Query latency and bytes scanned for the three analytic queries on a year of hourly Gold.

Writes Gold `trades_hourly` directly (no Bronze, no transform): 10 products x 365 days x 24 hours,
one Parquet file per product and day, as the transform lays it out. Then runs each query in
`coinlake.query.analytics` through the DuckDB views (`coinlake.connect`) and reports:

- latency: median and best of N timed runs after one warm-up (page cache warm);
- files scanned / files in the table, from DuckDB's EXPLAIN ANALYZE (partition pruning);
- bytes DuckDB read (EXPLAIN ANALYZE "Data Read": the column chunks it fetched);
- bytes of the partitions the query touches (sum of their file sizes): the ceiling of what
  Athena scans under the generated partition projection (it also reads only the needed columns).

Usage: python bench/query_bench.py [--lake DIR] [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date
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


def _partition_bytes(root: Path, name: str) -> tuple[int, int]:
    """(bytes of the files the query's partition filter keeps, files kept)."""
    table = root / sql_table("gold_trades_hourly").path
    files = list(table.glob("product_id=*/date=*/*.parquet"))
    if name == "hourly_vwap":
        first, last = (date.fromisoformat(d) for d in VWAP_RANGE)
        files = [
            f
            for f in files
            if f.parent.parent.name == "product_id=BTC-USD"
            and first <= date.fromisoformat(f.parent.name.removeprefix("date=")) <= last
        ]
    return sum(f.stat().st_size for f in files), len(files)


def run(root: Path, runs: int) -> dict[str, object]:
    started = time.perf_counter()
    if not (root / sql_table("gold_trades_hourly").path).exists():
        counts = dict(write_gold_year(root, PRODUCTS))
    else:
        counts = {"rows": -1, "partitions": -1}
    generate_s = time.perf_counter() - started
    table_bytes = sum(
        f.stat().st_size for f in (root / sql_table("gold_trades_hourly").path).rglob("*.parquet")
    )
    con = coinlake.connect(root)
    (rows,) = con.execute("SELECT count(*) FROM coinlake.gold_trades_hourly").fetchall()[0]
    results: dict[str, object] = {}
    for name in QUERIES:
        sql = analytic_query(name, start=VWAP_RANGE[0], end=VWAP_RANGE[1])
        con.sql(sql).to_arrow_table()  # warm-up
        timings = []
        for _ in range(runs):
            t0 = time.perf_counter()
            out = con.sql(sql).to_arrow_table()
            timings.append(time.perf_counter() - t0)
        stats = scan_stats(con, sql)
        part_bytes, part_files = _partition_bytes(root, name)
        results[name] = {
            "rows_out": out.num_rows,
            "median_ms": round(statistics.median(timings) * 1000, 1),
            "best_ms": round(min(timings) * 1000, 1),
            "files_scanned": stats.files_scanned,
            "files_total": stats.files_total,
            "duckdb_bytes_read": stats.bytes_read,
            "partition_bytes": part_bytes,
            "partition_files": part_files,
        }
    return {
        "lake": str(root),
        "gold_rows": rows,
        "written": counts,
        "generate_s": round(generate_s, 1),
        "table_bytes": table_bytes,
        "runs": runs,
        "queries": results,
    }


def _print(report: dict[str, object]) -> None:
    print(
        f"gold_trades_hourly: {report['gold_rows']:,} rows, "
        f"{report['table_bytes']:,} bytes of Parquet (generated in {report['generate_s']} s)"
    )
    header = (
        f"{'query':<14}{'rows':>6}{'median ms':>11}{'best ms':>9}{'files':>13}"
        f"{'duckdb read':>13}{'partition bytes':>17}"
    )
    print(header)
    queries = report["queries"]
    assert isinstance(queries, dict)
    for name, q in queries.items():
        files = f"{q['files_scanned']}/{q['files_total']}"
        print(
            f"{name:<14}{q['rows_out']:>6}{q['median_ms']:>11}{q['best_ms']:>9}{files:>13}"
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
