"""Transform throughput at one size: interleaved rounds of every engine on the same Bronze.

Trades per second count UNIQUE trades: the Bronze of a size holds ~2% re-fetched rows (see
`bench.lakes`), so the figure is (rows - duplicate rows) / seconds. Each coinlake run is checked
against those counts: its Silver must hold between (unique - bad rows) and unique rows (a bad row
may be the only copy of its trade); a run that does not is a failed run, never a figure.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bench import lakes, procs
from bench.plan import Plan
from bench.report import Record, label, log, record

GOAL_TPS = ">= 1000000"
GOAL_FLOOR = "<= 1.5"
GOAL_SPARK = ">= 10"
GOAL_RSS_GB = "<= 1"

NAMES = {
    "duckdb": "coinlake DuckDB",
    "spark": "coinlake Spark local",
    "pandas": "pandas baseline",
    "floor": "floor (DuckDB JSON->Parquet)",
}

PANDAS_BYTES_PER_TRADE = 1200
"""What the pandas baseline needs (measured ~0.9 KB a trade, plus headroom)."""


def unique_trades(counts: dict[str, int]) -> int:
    """Distinct trades in a bench Bronze: its rows less the re-fetched copies."""
    return counts["rows"] - counts["duplicate_rows"]


def silver_problem(silver_rows: int, counts: dict[str, int]) -> str | None:
    """Why a Silver row count does not fit the Bronze it was built from (None: it fits)."""
    unique = unique_trades(counts)
    low = unique - counts["bad_rows"]
    if low <= silver_rows <= unique:
        return None
    return f"Silver holds {silver_rows:,} rows, expected {low:,} to {unique:,} unique trades"


def secs(m: procs.Measured) -> float:
    """The measured work's seconds (engine start to last file written), as the child timed it."""
    return float(m.result["seconds"])


def _cut(m: procs.Measured) -> bool:
    return bool(m.result.get("timed_out"))


def one_run(
    kind: str, lake: Path, counts: dict[str, int], timeout_s: float
) -> procs.Measured | str:
    """One measured child run, or why it failed (or was skipped, for pandas: "skipped: ...")."""
    cap = None
    if kind == "pandas":  # the machine is shared: never push it into the OOM killer
        available = procs.available_memory()
        cap = available - 2 * 2**30
        if cap < counts["rows"] * PANDAS_BYTES_PER_TRADE:
            need = counts["rows"] * PANDAS_BYTES_PER_TRADE / 2**30
            return f"skipped: needs ~{need:.0f} GB, {available / 2**30:.0f} GB available"
    try:
        m = procs.measure(["bench.worker", kind, str(lake)], timeout_s=timeout_s, max_memory=cap)
    except procs.ChildFailedError as exc:
        return str(exc)
    if _cut(m):
        return m
    if kind in ("duckdb", "spark"):
        return silver_problem(int(m.result["silver_table_rows"]), counts) or m
    if kind == "floor" and m.result["rows"] != counts["rows"]:
        return f"the floor wrote {m.result['rows']:,} rows of {counts['rows']:,} Bronze rows"
    return m


def throughput(work: Path, n: int, p: Plan, keep: Path) -> tuple[list[Record], dict[str, Any]]:
    """Interleaved rounds at size `n`; the last DuckDB lake is kept at `keep`."""
    shutil.rmtree(keep, ignore_errors=True)  # never a lake left by an earlier run
    source, counts = lakes.bronze(work, n)
    trades = unique_trades(counts)
    runs: dict[str, list[procs.Measured | None]] = {e: [] for e in p.engines}
    errors: dict[str, str] = {}
    for round_no in range(p.fast_reps[n]):
        for engine in p.engines:
            slow = engine in p.slow_reps
            if (slow and round_no >= p.slow_reps[engine][n]) or engine in errors:
                runs[engine].append(None)
                continue
            lake = lakes.clone(source, work / f"lake-{engine}")
            lakes.warm(lake)
            log(f"{label(n)} round {round_no + 1}: {engine}")
            budget = p.slow_budget_s[n] if slow else 1800
            outcome = one_run(engine, lake, counts, timeout_s=budget)
            if isinstance(outcome, str):
                errors[engine] = outcome
                log(f"  {engine} failed: {outcome}")
                runs[engine].append(None)
            else:
                stopped = " (stopped at its time budget)" if _cut(outcome) else ""
                took = f"{secs(outcome):.2f} s{stopped}, process {outcome.seconds:.2f} s"
                log(f"  {took}, {outcome.peak_rss / 2**30:.2f} GB")
                runs[engine].append(outcome)
            if engine == "duckdb" and engine not in errors:
                shutil.rmtree(keep, ignore_errors=True)
                lake.rename(keep)
            else:
                shutil.rmtree(lake, ignore_errors=True)
    out: list[Record] = []
    for engine in p.engines:
        out += _engine_records(engine, n, trades, runs[engine], errors.get(engine, ""), p)
    out += _ratios(label(n), n, runs, errors)
    return out, {"trades": trades, **counts}


def _engine_records(
    engine: str, n: int, trades: int, runs: list[procs.Measured | None], error: str, p: Plan
) -> list[Record]:
    size, name = label(n), NAMES[engine]
    big = n >= 10_000_000
    done = [m for m in runs if m is not None]
    # pandas skipped for lack of memory is said, not failed; any other missing figure fails
    optional = error.startswith("skipped:")
    if error or not done:
        goal = GOAL_TPS if engine == "duckdb" and big else None
        why = error[:300] or "no run"
        return [
            record(f"{size} {name} throughput", None, "trades/s", goal, why, expected=not optional)
        ]
    how = f"{trades:,} unique trades / (engine start to last file written)"
    if any(_cut(m) for m in done):
        how = f"stopped at the {p.slow_budget_s[n]:.0f} s budget: an upper bound on speed"
    goal = GOAL_TPS if engine == "duckdb" and big else None
    rss_goal = GOAL_RSS_GB if engine == "duckdb" and big else None
    return [
        record(f"{size} {name} throughput", [trades / secs(m) for m in done], "trades/s", goal,
               how),
        record(f"{size} {name} time", [secs(m) for m in done], "s"),
        record(
            f"{size} {name} peak RSS", [m.peak_rss / 2**30 for m in done], "GB", rss_goal,
            "process tree",
        ),
    ]  # fmt: skip


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
            (secs(a), secs(b)) for a, b in zip(runs["duckdb"], runs[other], strict=True) if a and b
        ]
        values = [a / b if ours_over_theirs else b / a for a, b in pairs]
        note = errors.get(other, errors.get("duckdb", ""))[:300]
        if values:
            cut = any(b is not None and _cut(b) for b in runs[other])
            note = "per round, interleaved" + ("; a bound: stopped at its budget" if cut else "")
        optional = note.startswith("skipped:")
        out.append(record(f"{size} {name}", values or None, "x", goal, note, expected=not optional))
    return out
