"""Incremental cost: one new page, then an incremental run (Silver and Gold), on a built lake.

Two cases, each `reps` times on the same lake, each case in its own child process:
- `new-day`: the page's trades come after all the data, in a NEW day partition (the cheapest case);
- `today`: the page lands in the lake's last day, a partition already holding ~1/10 of the
  product's rows, as a run every few minutes adds to today's partition.
The goal is the same at every size ("flat"): 1M and 10M come from the throughput part's kept
DuckDB lake; 30M is built once by one DuckDB run (`build`) for these figures only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench import lakes, procs
from bench.report import Record, label, log, record
from bench.throughput import NAMES, secs, silver_problem, unique_trades

GOAL_INCREMENTAL = "<= 0.1"

CASES = {
    "new-day": "incremental, new page in a new day partition",
    "today": "incremental, new page in today's partition",
}


def incremental(lake: Path, n: int, reps: int) -> list[Record]:
    """Both cases on the lake built from size `n`'s Bronze; a failed case is a failure."""
    out = []
    for case, name in CASES.items():
        log(f"{label(n)} {name} x{reps}")
        m = procs.measure(
            ["bench.worker", "incremental", str(lake), "--case", case, "--reps", str(reps)],
            timeout_s=600,
        )
        note = "run_transform in-process, Silver + Gold"
        if case == "today":
            note += f"; the partition held ~{lakes.rows_per_day(n):,} rows"
        out.append(record(f"{label(n)} {name}", m.result["times"], "s", GOAL_INCREMENTAL, note))
    return out


def build(work: Path, n: int) -> tuple[Path, list[Record]]:
    """A DuckDB lake of size `n` (its Bronze generated once under `work`), with its one run's
    throughput; the lake is rebuilt each time so the incremental cases start from the same state."""
    log(f"{label(n)} Bronze (generated once into {work})")
    source, counts = lakes.bronze(work, n)
    lake = lakes.clone(source, work / f"lake-duckdb-{n}")
    log(f"{label(n)} one DuckDB run to build the lake")
    m = procs.measure(["bench.worker", "duckdb", str(lake)], timeout_s=1800)
    problem = silver_problem(int(m.result["silver_table_rows"]), counts)
    if problem:
        shutil.rmtree(lake, ignore_errors=True)
        raise RuntimeError(problem)
    trades = unique_trades(counts)
    name = f"{label(n)} {NAMES['duckdb']} throughput"
    note = f"{trades:,} unique trades; one run, built for the incremental figures"
    return lake, [record(name, trades / secs(m), "trades/s", None, note)]
