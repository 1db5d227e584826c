"""How many runs of what: the full benchmark, the quick one, or sizes chosen on the command line."""

from __future__ import annotations

from dataclasses import dataclass

from bench.report import label


@dataclass(frozen=True, slots=True)
class Plan:
    """How many runs of what."""

    sizes: tuple[int, ...]
    """Sizes measured by every engine (then parity and the incremental cases)."""
    fast_reps: dict[int, int]
    """DuckDB and floor runs per size."""
    slow_reps: dict[str, dict[int, int]]
    """Spark and pandas runs per size (the first rounds)."""
    incremental_reps: int
    ingest_pages: int
    query_runs: int
    slow_budget_s: dict[int, float]
    """Time budget of one Spark or pandas run; past it the run is stopped and reported as a
    bound (it took at least that long)."""
    engines: tuple[str, ...] = ("duckdb", "floor", "spark", "pandas")
    incremental_sizes: tuple[int, ...] = ()
    """Larger sizes built once by DuckDB only, for the incremental figures ("flat" measured)."""


def plan(quick: bool, sizes: tuple[int, ...] | None) -> Plan:
    """The full run or the quick one (sizes can be overridden, e.g. by the smoke test)."""
    if quick:
        chosen = sizes or (1_000_000,)
        once = dict.fromkeys(chosen, 1)
        slow = {"spark": once, "pandas": once}
        return Plan(chosen, dict.fromkeys(chosen, 3), slow, 3, 40, 3, dict.fromkeys(chosen, 150))
    chosen = sizes or (1_000_000, 10_000_000)
    fast = {n: 5 if n <= 1_000_000 else 3 for n in chosen}
    slow = {  # Spark twice at every size; pandas (~150 s at 10M) once past 1M
        "spark": dict.fromkeys(chosen, 2),
        "pandas": {n: 2 if n <= 1_000_000 else 1 for n in chosen},
    }
    budget = {n: 300.0 if n <= 1_000_000 else 480.0 for n in chosen}
    extra = () if sizes else (30_000_000,)
    return Plan(chosen, fast, slow, 5, 150, 7, budget, incremental_sizes=extra)


def describe(p: Plan) -> str:
    """The plan in one sentence, for the results files."""
    fast = " and ".join(e for e in p.engines if e in ("duckdb", "floor"))
    parts = []
    for n in p.sizes:
        slow = [f"{e} x{p.slow_reps[e][n]}" for e in ("spark", "pandas") if e in p.engines]
        parts.append(
            f"{label(n)} trades: {fast} x{p.fast_reps[n]}" + "".join(f", {s}" for s in slow)
        )
    parts += [f"{label(n)} trades: duckdb x1 (incremental only)" for n in p.incremental_sizes]
    return (
        f"{'; '.join(parts)}; incremental x{p.incremental_reps} per case; ingestion "
        f"~{p.ingest_pages} pages per case; query x{p.query_runs}; values are medians, ratios per "
        "interleaved round."
    )
