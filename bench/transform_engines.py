"""Bronze -> Silver -> Gold throughput of the DuckDB and Spark engines on the same Bronze.

Generates N Coinbase-shaped trades as Bronze pages (`write_trade_pages`, 1,000 trades a page,
~2% re-fetched pages, ~1% late pages), copies that Bronze into one fresh lake per engine, and
for each engine runs the real command

    coinlake --lake <lake> transform all --engine <engine> --threads <cores>

as a subprocess (so Spark's JVM and session start are counted), then lands one new page of
1,000 trades and times the incremental run. It reports wall seconds of each command, the
seconds the transforms themselves took (the CLI's `done in`: without process and engine start),
and trades per second over the distinct generated trades (wall and transform-only).

Usage: python bench/transform_engines.py [--trades 1000000] [--engines duckdb,spark]
                                         [--dir DIR] [--threads 0] [--json]
Callable from other benches: `measure(trades=..., engines=(...), base=Path)` returns the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from coinlake.devtools.bronze_pages import PageSpec, write_new_page, write_trade_pages

ENGINES = ("duckdb", "spark")


@dataclass(frozen=True, slots=True)
class EngineFigures:
    """What one engine did on one lake."""

    engine: str
    trades: int
    bronze_objects: int
    full_wall_s: float
    full_transform_s: float
    incremental_wall_s: float
    incremental_transform_s: float
    load_before: float
    """1-minute load average before the engine's runs (other work on the machine skews times)."""
    load_after: float

    @property
    def trades_per_s_wall(self) -> float:
        return self.trades / self.full_wall_s

    @property
    def trades_per_s_transform(self) -> float:
        return self.trades / self.full_transform_s


def _coinlake() -> list[str]:
    exe = Path(sys.executable).with_name("coinlake")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "coinlake"]


def run_cli(lake: Path, engine: str, threads: int) -> tuple[float, float, str]:
    """Run `coinlake transform all`; return (wall seconds, transform seconds, output)."""
    command = [*_coinlake(), "--lake", str(lake), "transform", "all", "--engine", engine]
    command += ["--threads", str(threads)]
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    found = re.search(r"done in ([0-9.]+)s", done.stdout)
    return wall, float(found.group(1)) if found else float("nan"), done.stdout


def land_new_page(lake: Path, spec: PageSpec, count: int = 1000) -> str:
    """One new page of `count` trades for the first product, after its last trade id, in the
    last minutes of its last event day (so the run rewrites that existing, full partition)."""
    first_id = 100_000_000 + spec.trades // len(spec.products) + 10
    end = spec.start + timedelta(days=spec.days) - timedelta(minutes=5)
    return write_new_page(lake, spec.products[0], first_id, end, count)


def measure(
    *, trades: int, engines: tuple[str, ...], base: Path, threads: int = 0, verbose: bool = True
) -> list[EngineFigures]:
    """Generate Bronze under `base/bronze-only`, then time each engine on its own copy."""
    spec = PageSpec(trades=trades)
    source = base / "bronze-only"
    if not (source / "bronze").is_dir():
        started = time.perf_counter()
        written = write_trade_pages(source, spec)
        if verbose:
            print(
                f"generated {written.objects:,} Bronze objects, {written.rows:,} rows "
                f"({trades:,} distinct trades) in {time.perf_counter() - started:.1f}s",
                flush=True,
            )
    objects = sum(1 for _ in (source / "bronze").rglob("*.json"))
    cores = threads or os.cpu_count() or 2
    figures = []
    for engine in engines:
        lake = base / f"lake-{engine}"
        shutil.rmtree(lake, ignore_errors=True)
        shutil.copytree(source / "bronze", lake / "bronze")
        load_before = os.getloadavg()[0]
        full_wall, full_secs, output = run_cli(lake, engine, cores)
        if verbose:
            print(output, flush=True)
        land_new_page(lake, spec)
        inc_wall, inc_secs, output = run_cli(lake, engine, cores)
        if verbose:
            print(output, flush=True)
        figures.append(
            EngineFigures(
                engine,
                trades,
                objects,
                full_wall,
                full_secs,
                inc_wall,
                inc_secs,
                load_before,
                os.getloadavg()[0],
            )
        )
    return figures


def report(figures: list[EngineFigures], cores: int) -> str:
    """The figures as a plain table."""
    lines = [
        f"Bronze -> Silver -> Gold, `coinlake transform all`, {cores} threads "
        f"({figures[0].trades:,} trades, {figures[0].bronze_objects:,} Bronze objects)",
        f"{'engine':<7} {'full wall s':>11} {'trades/s wall':>13} {'transform s':>11} "
        f"{'trades/s tr.':>12} {'incr. wall s':>12} {'incr. transform s':>17} {'load 1m':>11}",
    ]
    for f in figures:
        lines.append(
            f"{f.engine:<7} {f.full_wall_s:>11.2f} {f.trades_per_s_wall:>13,.0f} "
            f"{f.full_transform_s:>11.2f} {f.trades_per_s_transform:>12,.0f} "
            f"{f.incremental_wall_s:>12.2f} {f.incremental_transform_s:>17.2f} "
            f"{f.load_before:>5.1f}->{f.load_after:<5.1f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=1_000_000)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--dir", type=Path, help="work folder (kept; default: a temp folder)")
    parser.add_argument("--threads", type=int, default=0, help="0 = the machine's cores")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    engines = tuple(e.strip() for e in args.engines.split(",") if e.strip())
    cores = args.threads or os.cpu_count() or 2
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        figures = measure(
            trades=args.trades,
            engines=engines,
            base=args.dir,
            threads=cores,
            verbose=not args.json,
        )
    else:
        with tempfile.TemporaryDirectory(prefix="coinlake-bench-") as tmp:
            figures = measure(
                trades=args.trades,
                engines=engines,
                base=Path(tmp),
                threads=cores,
                verbose=not args.json,
            )
    if args.json:
        rows = [
            {
                **asdict(f),
                "trades_per_s_wall": round(f.trades_per_s_wall),
                "trades_per_s_transform": round(f.trades_per_s_transform),
            }
            for f in figures
        ]
        print(json.dumps({"threads": cores, "results": rows}, indent=2))
    else:
        print(report(figures, cores))


if __name__ == "__main__":
    main()
