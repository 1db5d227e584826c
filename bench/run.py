"""coinlake's benchmark suite: `make bench` (full) or `make bench QUICK=1`.

`python -m bench.run [--quick] [--sizes 1000000,10000000] [--work DIR] [--out bench/results]`

Measures, in one invocation, and prints one table (also written to `bench/results/`):
1. transform throughput Bronze -> Silver -> Gold at each size for coinlake on DuckDB, coinlake
   on Spark local, the pandas baseline and the floor (DuckDB JSON -> one Parquet, no logic);
   every run is a child process whose wall time and peak RSS (whole process tree, a JVM
   included) are measured; rounds are interleaved (DuckDB, floor, Spark, pandas, DuckDB, ...),
   the slow engines run in the first rounds only; ratios are taken within a round;
2. incremental cost: one new page landed on the lake of each size, then an incremental run;
3. ingestion efficiency: a backfill of 1, 3 and 10 products against the rate-limited sandbox;
4. query latency on a year of hourly Gold (`bench/query_bench.py`);
5. footprint: the ingest Lambda's zip and cold import, Bronze/Silver/Gold bytes per 1M trades.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench import footprint, lakes, procs, report
from bench.report import Record, record

GOAL_TPS = ">= 1000000"
GOAL_FLOOR = "<= 1.5"
GOAL_SPARK = ">= 10"
GOAL_RSS_GB = "<= 1"
GOAL_INCREMENTAL = "<= 0.5"


@dataclass(frozen=True, slots=True)
class Plan:
    """How many runs of what."""

    sizes: tuple[int, ...]
    fast_reps: dict[int, int]
    """DuckDB and floor runs per size."""
    slow_reps: dict[int, int]
    """Spark and pandas runs per size (the first rounds)."""
    incremental_reps: int
    ingest_pages: int
    query_runs: int
    slow_budget_s: dict[int, float]
    """Time budget of one Spark or pandas run; past it the run is stopped and reported as a
    bound (it took at least that long)."""
    engines: tuple[str, ...] = ("duckdb", "floor", "spark", "pandas")


def plan(quick: bool, sizes: tuple[int, ...] | None) -> Plan:
    """The full run or the quick one (sizes can be overridden, e.g. by the smoke test)."""
    if quick:
        chosen = sizes or (1_000_000,)
        once = dict.fromkeys(chosen, 1)
        return Plan(chosen, dict.fromkeys(chosen, 3), once, 3, 40, 3, dict.fromkeys(chosen, 150))
    chosen = sizes or (1_000_000, 10_000_000)
    fast = {n: 5 if n <= 1_000_000 else 3 for n in chosen}
    slow = {n: 2 if n <= 1_000_000 else 1 for n in chosen}
    budget = {n: 300.0 if n <= 1_000_000 else 480.0 for n in chosen}
    return Plan(chosen, fast, slow, 5, 150, 7, budget)


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _secs(m: procs.Measured) -> float:
    """The measured work's seconds (engine start to last file written), as the child timed it."""
    return float(m.result["seconds"])


PANDAS_BYTES_PER_TRADE = 1200
"""What the pandas baseline needs (measured ~0.9 KB a trade, plus headroom)."""


def _one(kind: str, lake: Path, trades: int, timeout_s: float) -> procs.Measured | str:
    """One measured child run, or why it failed."""
    cap = None
    if kind == "pandas":  # the machine is shared: never push it into the OOM killer
        available = procs.available_memory()
        cap = available - 2 * 2**30
        if cap < trades * PANDAS_BYTES_PER_TRADE:
            need = trades * PANDAS_BYTES_PER_TRADE / 2**30
            return f"skipped: needs ~{need:.0f} GB, {available / 2**30:.0f} GB available"
    try:
        return procs.measure(["bench.worker", kind, str(lake)], timeout_s=timeout_s, max_memory=cap)
    except procs.ChildFailedError as exc:
        return str(exc)


def _cut(m: procs.Measured) -> bool:
    return bool(m.result.get("timed_out"))


def throughput(work: Path, n: int, p: Plan, keep: Path) -> tuple[list[Record], dict[str, Any]]:
    """Interleaved rounds at size `n`; the last DuckDB lake is kept at `keep`."""
    source, counts = lakes.bronze(work, n)
    trades = counts["rows"]
    runs: dict[str, list[procs.Measured | None]] = {e: [] for e in p.engines}
    errors: dict[str, str] = {}
    for round_no in range(p.fast_reps[n]):
        for engine in p.engines:
            slow = engine in ("spark", "pandas")
            if (slow and round_no >= p.slow_reps[n]) or engine in errors:
                runs[engine].append(None)
                continue
            lake = lakes.clone(source, work / f"lake-{engine}")
            _log(f"{_label(n)} round {round_no + 1}: {engine}")
            budget = p.slow_budget_s[n] if slow else 1800
            outcome = _one(engine, lake, trades, timeout_s=budget)
            if isinstance(outcome, str):
                errors[engine] = outcome
                _log(f"  {engine} not available: {outcome}")
                runs[engine].append(None)
            else:
                peak = outcome.peak_rss / 2**30
                stopped = " (stopped at its time budget)" if _cut(outcome) else ""
                took = f"{_secs(outcome):.2f} s{stopped}, process {outcome.seconds:.2f} s"
                _log(f"  {took}, {peak:.2f} GB")
                runs[engine].append(outcome)
            if engine == "duckdb":
                shutil.rmtree(keep, ignore_errors=True)
                lake.rename(keep)
            else:
                shutil.rmtree(lake, ignore_errors=True)
    size = _label(n)
    out: list[Record] = []
    names = {
        "duckdb": "coinlake DuckDB",
        "spark": "coinlake Spark local",
        "pandas": "pandas baseline",
        "floor": "floor (DuckDB JSON->Parquet)",
    }
    for engine in p.engines:
        done = [m for m in runs[engine] if m is not None]
        note = errors.get(engine, "")[:300]
        label = names[engine]
        if not done:
            out.append(
                record(
                    f"{size} {label} throughput",
                    None,
                    "trades/s",
                    GOAL_TPS if engine == "duckdb" else None,
                    note,
                )
            )
            continue
        goal = GOAL_TPS if engine == "duckdb" and n >= 10_000_000 else None
        how = "engine start to last file written"
        if any(_cut(m) for m in done):
            how = f"stopped at the {p.slow_budget_s[n]:.0f} s budget: an upper bound on speed"
        out.append(
            record(
                f"{size} {label} throughput",
                [trades / _secs(m) for m in done],
                "trades/s",
                goal,
                how,
            )
        )
        out.append(record(f"{size} {label} time", [_secs(m) for m in done], "s"))
        rss_goal = GOAL_RSS_GB if engine == "duckdb" and n >= 10_000_000 else None
        out.append(
            record(
                f"{size} {label} peak RSS",
                [m.peak_rss / 2**30 for m in done],
                "GB",
                rss_goal,
                "process tree",
            )
        )
    out += _ratios(size, n, runs, errors)
    return out, {"trades": trades, **counts}


def _ratios(size: str, n: int, runs: dict[str, list[Any]], errors: dict[str, str]) -> list[Record]:
    big = n >= 10_000_000
    specs = [  # (name, other engine, coinlake time / other time or the inverse, goal)
        ("coinlake DuckDB / floor (time)", "floor", True, GOAL_FLOOR if big else None),
        ("coinlake DuckDB speed-up vs Spark local", "spark", False, GOAL_SPARK if big else None),
        ("coinlake DuckDB speed-up vs pandas baseline", "pandas", False, None),
    ]
    out = []
    for name, other, ours_over_theirs, goal in specs:
        if other not in runs or "duckdb" not in runs:
            continue
        pairs = [
            (_secs(a), _secs(b))
            for a, b in zip(runs["duckdb"], runs[other], strict=True)
            if a and b
        ]
        values = [a / b if ours_over_theirs else b / a for a, b in pairs]
        note = errors.get(other, errors.get("duckdb", ""))[:300]
        if values:
            cut = any(b is not None and _cut(b) for b in runs[other])
            note = "per round, interleaved" + ("; a bound: stopped at its budget" if cut else "")
        out.append(record(f"{size} {name}", values or None, "x", goal, note))
    return out


def incremental(lake: Path, n: int, reps: int) -> list[Record]:
    """One new page, then an incremental run (Gold included), `reps` times on the kept lake."""
    _log(f"{_label(n)} incremental x{reps}")
    try:
        m = procs.measure(["bench.worker", "incremental", str(lake), "--reps", str(reps)])
    except procs.ChildFailedError as exc:
        return [
            record(
                f"{_label(n)} incremental run after one new page",
                None,
                "s",
                GOAL_INCREMENTAL,
                str(exc)[:300],
            )
        ]
    return [
        record(
            f"{_label(n)} incremental run after one new page",
            m.result["times"],
            "s",
            GOAL_INCREMENTAL,
            "run_transform in-process, Silver + Gold",
        )
    ]


def ingestion(pages: int) -> list[Record]:
    """Backfills of 1, 3 and 10 products against the rate-limited sandbox."""
    out = []
    for products in (1, 3, 10):
        _log(f"ingestion backfill, {products} products")
        name = f"ingest {products} product{'s' if products > 1 else ''}"
        try:
            m = procs.measure(
                ["bench.ingest_bench", "--products", str(products), "--pages", str(pages)],
                timeout_s=900,
            )
        except procs.ChildFailedError as exc:
            out.append(record(f"{name}: rate / limit", None, "fraction", ">= 0.95", str(exc)[:300]))
            continue
        r = m.result
        note = f"{r['requests']} requests in {r['seconds']:.1f} s, {r['trades']:,} trades"
        note += f", run {r['status']}"
        out.append(
            record(
                f"{name}: rate / limit",
                r["limit_fraction"],
                "fraction",
                ">= 0.95",
                note + "; the first second spends the 15-request burst",
            )
        )
        out.append(record(f"{name}: 429 responses", r["responses_429"], "count", "== 0"))
        out.append(record(f"{name}: gaps", r["gaps"], "trade ids", "== 0"))
    return out


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


def _guarded(part: str, measure: Callable[[], list[Record]]) -> list[Record]:
    """A part's records; a part that breaks is one record saying so, never the lost run."""
    try:
        return measure()
    except Exception as exc:  # report it and keep every other figure
        _log(f"{part} failed: {exc!r}")
        return [record(part, None, "-", None, f"failed: {exc!r}"[:300])]


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
        help="comma-separated parts to skip: transform,incremental,ingest,query,footprint",
    )
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else None
    p = replace(plan(args.quick, sizes), engines=tuple(args.engines.split(",")))
    skip = set(filter(None, args.skip.split(",")))
    work = args.work or Path(tempfile.gettempdir()) / "coinlake-bench"
    work.mkdir(parents=True, exist_ok=True)
    info = {
        "mode": "quick" if args.quick else "full",
        "machine": report.machine(),
        "plan": _plan_text(p),
    }
    started = time.perf_counter()
    records: list[Record] = []
    sizes_info = {}
    for n in p.sizes:
        keep = work / f"lake-duckdb-{n}"
        if "transform" not in skip:
            found, sizes_info[n] = throughput(work, n, p, keep)
            records += found
        if "incremental" not in skip and keep.exists():
            records += incremental(keep, n, p.incremental_reps)
    if "ingest" not in skip:
        records += _guarded("ingestion", lambda: ingestion(p.ingest_pages))
    if "query" not in skip:
        records += _guarded("query", lambda: query(p.query_runs))
    if "footprint" not in skip:
        biggest = max(p.sizes)
        lake = work / f"lake-duckdb-{biggest}"
        records += _guarded(
            "footprint", lambda: footprint.records(lake, sizes_info.get(biggest, {}), _log, work)
        )
    info["seconds"] = round(time.perf_counter() - started, 1)
    info["sizes"] = {str(k): v for k, v in sizes_info.items()}
    print(report.text_table(records))
    for path in report.write(args.out, records, info):
        _log(f"wrote {path}")
    _log(f"done in {info['seconds']} s")
    return 0


def _plan_text(p: Plan) -> str:
    fast = " and ".join(e for e in p.engines if e in ("duckdb", "floor"))
    slow = " and ".join(e for e in p.engines if e in ("spark", "pandas"))
    sizes = ", ".join(
        f"{_label(n)} trades: {fast} x{p.fast_reps[n]}"
        + (f", {slow} x{p.slow_reps[n]}" if slow else "")
        for n in p.sizes
    )
    return (
        f"{sizes}; incremental x{p.incremental_reps}; ingestion ~{p.ingest_pages} pages per "
        f"case; query x{p.query_runs}; values are medians, ratios per interleaved round."
    )


if __name__ == "__main__":
    sys.exit(main())
