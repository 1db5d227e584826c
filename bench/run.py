"""coinlake's benchmark suite: `make bench` (full) or `make bench QUICK=1`.

`python -m bench.run [--quick] [--sizes 1000000,10000000] [--work DIR] [--out bench/results]`

Measures, in one invocation, and prints one table (also written to `bench/results/`):
1. transform throughput Bronze -> Silver -> Gold at each size for coinlake on DuckDB, coinlake
   on Spark local, the pandas baseline and the floor (DuckDB JSON -> one Parquet, no logic);
   every run is a child process whose wall time and peak RSS (whole process tree, a JVM
   included) are measured; rounds are interleaved (DuckDB, floor, Spark, pandas, DuckDB, ...),
   the slow engines run in the first rounds only; ratios are taken within a round
   (`bench/throughput.py`);
2. parity: a content fingerprint of every Silver and Gold row of the kept DuckDB lake against
   the reference in `bench/reference/` (`bench/fingerprint.py`);
3. incremental cost: one new page in a new day partition, and one in today's partition, then an
   incremental run, on the lake of each size and on a 30M lake built for it
   (`bench/incremental.py`);
4. ingestion efficiency: a backfill of 1, 3 and 10 products against the rate-limited sandbox;
5. query latency on a year of hourly Gold (`bench/query_bench.py`);
6. cost per million trades: Spark on Glue at the default job, DuckDB beside it (`bench/cost.py`);
7. footprint: the ingest Lambda's zip and cold import, Bronze/Silver/Gold bytes per 1M trades.

The run is a list of parts (`parts()`); adding a measurement is adding a `Part` whose function
takes the run's `Context` and returns records. A part that raises, or returns an expected record
without a value, fails the whole run: every other part still runs and the table is still
written, then the run exits 1 naming each failed part.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench import cost, fingerprint, footprint, incremental, ingest_bench, procs, report
from bench.plan import Plan, describe, plan
from bench.report import Record, label, log, record
from bench.throughput import throughput

GOAL_TOTAL_S = "<= 1800"
_log = log  # the name query() logs with


@dataclass(slots=True)
class Context:
    """What the parts share: the plan, the work folder, and what earlier parts found."""

    plan: Plan
    work: Path
    records: list[Record] = field(default_factory=list)
    sizes: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Bronze counts of each size whose transform part ran."""

    def lake(self, n: int) -> Path:
        """The kept DuckDB lake of size `n`."""
        return self.work / f"lake-duckdb-{n}"

    def built(self, n: int) -> Path:
        """The lake of size `n` built by this run (never a lake left by an earlier run)."""
        if n not in self.sizes or not self.lake(n).exists():
            raise RuntimeError(f"no {label(n)} DuckDB lake: its transform part failed")
        return self.lake(n)


@dataclass(frozen=True, slots=True)
class Part:
    """One measurement of the run."""

    kind: str
    """What `--skip` names."""
    name: str
    """What a failure names."""
    measure: Callable[[Context], list[Record]]


def _transform(n: int) -> Callable[[Context], list[Record]]:
    def measure(ctx: Context) -> list[Record]:
        ctx.sizes.pop(n, None)
        found, ctx.sizes[n] = throughput(ctx.work, n, ctx.plan, ctx.lake(n))
        return found

    return measure


def _parity(n: int) -> Callable[[Context], list[Record]]:
    def measure(ctx: Context) -> list[Record]:
        return fingerprint.parity_records(ctx.built(n), n)

    return measure


def _incremental(n: int) -> Callable[[Context], list[Record]]:
    def measure(ctx: Context) -> list[Record]:
        return incremental.incremental(ctx.built(n), n, ctx.plan.incremental_reps)

    return measure


def _incremental_only(n: int) -> Callable[[Context], list[Record]]:
    def measure(ctx: Context) -> list[Record]:
        lake, found = incremental.build(ctx.work, n)
        return found + incremental.incremental(lake, n, ctx.plan.incremental_reps)

    return measure


def parts(p: Plan) -> list[Part]:
    """The run's parts, in order."""
    out: list[Part] = []
    for n in p.sizes:
        size = label(n)
        out.append(Part("transform", f"transform {size}", _transform(n)))
        out.append(Part("parity", f"parity {size}", _parity(n)))
        out.append(Part("incremental", f"incremental {size}", _incremental(n)))
    for n in p.incremental_sizes:
        out.append(Part("incremental", f"incremental {label(n)}", _incremental_only(n)))
    out.append(Part("ingest", "ingestion", lambda c: ingest_bench.records(c.plan.ingest_pages)))
    out.append(Part("query", "query", lambda c: query(c.plan.query_runs)))
    if {"spark", "duckdb"} <= set(p.engines):
        biggest = max(p.sizes)
        out.append(Part("cost", "cost", lambda c: cost.records(c.records, biggest)))
    out.append(Part("footprint", "footprint", _footprint))
    return out


def _footprint(ctx: Context) -> list[Record]:
    biggest = max(ctx.plan.sizes)
    return footprint.records(ctx.lake(biggest), ctx.sizes.get(biggest, {}), log, ctx.work)


QUERY_GOAL_MS = "<= 50"
"""Each analytic query on a year of hourly Gold for 10 products, warm and cold (issue goal)."""


def query(runs: int) -> list[Record]:
    """The analytic queries on a year of hourly Gold, via bench/query_bench.py: warm (repeated in
    one connection) and cold (first query of a new connection, page cache dropped) latency,
    each against the goal, and the bytes DuckDB read."""
    _log("query bench")
    try:
        m = procs.measure(["bench.query_bench", "--json", "--runs", str(runs)], timeout_s=1800)
    except procs.ChildFailedError as exc:
        return [record("query", None, "ms", None, str(exc)[:300])]
    out = []
    dropped = "page cache dropped" if m.result["cache_dropped"] else "page cache NOT dropped"
    for name, q in m.result["queries"].items():
        files = f"{q['files_scanned']}/{q['files_total']} files"
        out.append(
            record(
                f"query {name} latency, warm",
                q["median_ms"],
                "ms",
                QUERY_GOAL_MS,
                f"best {q['best_ms']} ms, {files}; repeated in one connection",
            )
        )
        out.append(
            record(
                f"query {name} latency, cold",
                q["cold_median_ms"],
                "ms",
                QUERY_GOAL_MS,
                f"best {q['cold_best_ms']} ms; first query of a new connection, {dropped}",
            )
        )
        out.append(
            record(
                f"query {name} bytes read",
                q["duckdb_bytes_read"],
                "bytes",
                None,
                f"partition bytes {q['partition_bytes']:,}",
            )
        )
    return out


def run_parts(ctx: Context, todo: list[Part], skip: set[str]) -> list[str]:
    """Run the parts (all of them, whatever fails); return one line per failure."""
    failures = []
    for part in todo:
        if part.kind in skip:
            log(f"{part.name}: skipped (--skip {part.kind})")
            continue
        try:
            found = part.measure(ctx)
        except Exception as exc:  # the part failed: say which and why, keep every other part
            why = str(exc).strip().splitlines()[-1:] or [repr(exc)]
            failures.append(f"{part.name}: {type(exc).__name__}: {why[0][:300]}")
            log(f"FAILED {failures[-1]}")
            found = [record(part.name, None, "-", None, f"failed: {why[0][:300]}")]
        else:
            missing = [r for r in found if r["value"] is None and r.get("expected", True)]
            if missing:
                names = ", ".join(r["name"] for r in missing)
                failures.append(f"{part.name}: no value for {names} ({missing[0]['note']})")
                log(f"FAILED {failures[-1]}")
        ctx.records += found
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M trades only, fewer runs (< 5 min)")
    parser.add_argument("--sizes", help="comma-separated trade counts (overrides the mode's)")
    parser.add_argument("--work", type=Path, help="where Bronze and lakes go (kept between runs)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument(
        "--engines", default="duckdb,floor,spark,pandas", help="transform engines to measure"
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated parts to skip: "
        "transform,parity,incremental,ingest,query,cost,footprint",
    )
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else None
    p = replace(plan(args.quick, sizes), engines=tuple(args.engines.split(",")))
    if "duckdb" not in p.engines:
        parser.error(
            "--engines must include duckdb (parity, incremental and footprint use its lake)"
        )
    skip = set(filter(None, args.skip.split(",")))
    work = args.work or Path(tempfile.gettempdir()) / "coinlake-bench"
    work.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {"mode": "quick" if args.quick else "full", "machine": report.machine()}
    info["plan"] = describe(p)
    started = time.perf_counter()
    ctx = Context(p, work)
    failures = run_parts(ctx, parts(p), skip)
    seconds = round(time.perf_counter() - started, 1)
    goal = None if args.quick or sizes else GOAL_TOTAL_S
    note = "the whole run, Bronze generation included where it was not already in --work"
    ctx.records.append(record("benchmark total time", seconds, "s", goal, note))
    info.update(seconds=seconds, failures=failures)
    info["sizes"] = {str(k): v for k, v in ctx.sizes.items()}
    print(report.text_table(ctx.records))
    for path in report.write(args.out, ctx.records, info):
        log(f"wrote {path}")
    log(f"done in {seconds} s")
    if failures:
        print(f"benchmark FAILED ({len(failures)}):", file=sys.stderr)
        for line in failures:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
