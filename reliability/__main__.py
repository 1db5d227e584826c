"""`python -m reliability [--quick] [--part NAME ...] [--seed N] [--workdir DIR]`.

Runs the parts in order, prints one table (part, runs, faults injected, trades expected, found,
duplicated, lost, wall time) and exits 1 when any part lost or duplicated a trade or broke an
invariant. Each part's seed is printed; `--part NAME --seed N` replays it.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from reliability.context import Context
from reliability.parts import concurrency, damage, hostile, kills, secret_scan, storage, storms
from reliability.report import PartResult, render

PARTS: dict[str, Callable[[Context], PartResult]] = {
    "kill": kills.run,
    "storm": storms.run,
    "concurrency": concurrency.run,
    "storage": storage.run,
    "secrets": secret_scan.run,
    "hostile": hostile.run,
    "damage": damage.run,
}


def run_part(name: str, ctx: Context) -> PartResult:
    """Run one part; a crash of the harness itself is reported as a failed row, not lost."""
    started = time.monotonic()
    try:
        result = PARTS[name](ctx)
    except Exception as exc:
        ctx.log.write(traceback.format_exc())
        result = PartResult(
            name, ctx.seed, problems=[f"the part stopped: {type(exc).__name__}: {exc}"]
        )
    result.wall_s = time.monotonic() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reliability", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--part", action="append", choices=list(PARTS), help="run only these parts (repeatable)"
    )
    parser.add_argument("--seed", type=int, help="seed of every part (default: a fresh one each)")
    parser.add_argument("--quick", action="store_true", help="the small version `make test` runs")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep lakes and logs here (default: a temporary folder, removed)",
    )
    args = parser.parse_args(argv)
    names = args.part or list(PARTS)
    with tempfile.TemporaryDirectory(prefix="coinlake-reliability-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = []
        with (workdir / "reliability.log").open("a", encoding="utf-8") as log:
            for name in names:
                seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
                print(f"{name}: seed {seed} ...", file=sys.stderr, flush=True)
                ctx = Context(workdir / name, seed, args.quick, log)
                results.append(run_part(name, ctx))
        print(render(results))
        if args.workdir:
            print(f"lakes and log: {workdir}")
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
