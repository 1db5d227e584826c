"""`python -m reliability [--quick] [--part NAME ...] [--seed N] [--workdir DIR] [--time-limit M]`.

Runs the parts in order, prints one table (part, runs, faults injected, trades expected, found,
duplicated, lost, wall time) and exits 1 when any part lost or duplicated a trade or broke an
invariant. Each part's seed is printed; `--part NAME --seed N` replays it. Past `--time-limit`
minutes, or on SIGTERM or Ctrl-C, the running part stops (its sandbox and children too), and the
table shows the parts done and the stopped one as failed.
"""

from __future__ import annotations

import argparse
import secrets
import signal
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


class Stopped(BaseException):
    """The time limit passed, or SIGTERM came: stop the running part and print the table."""


def _stop(signum: int, _frame: object) -> None:
    raise Stopped(signal.Signals(signum).name)


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
        "--time-limit",
        type=float,
        default=0,
        metavar="MINUTES",
        help="stop the running part after this long and print the table (default: no limit)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep lakes and logs here (default: a temporary folder, removed)",
    )
    args = parser.parse_args(argv)
    names = args.part or list(PARTS)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGALRM, _stop)
    if args.time_limit > 0:
        signal.setitimer(signal.ITIMER_REAL, args.time_limit * 60)
    with tempfile.TemporaryDirectory(prefix="coinlake-reliability-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = []
        with (workdir / "reliability.log").open("a", encoding="utf-8") as log:
            for name in names:
                seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
                print(f"{name}: seed {seed} ...", file=sys.stderr, flush=True)
                ctx = Context(workdir / name, seed, args.quick, log)
                started = time.monotonic()
                try:
                    results.append(run_part(name, ctx))
                except (Stopped, KeyboardInterrupt) as exc:
                    why = f"{exc}" if isinstance(exc, Stopped) else "Ctrl-C"
                    limit = " (the time limit)" if why == "SIGALRM" else ""
                    stopped = PartResult(
                        name, seed, problems=[f"stopped by {why}{limit} before it finished"]
                    )
                    stopped.wall_s = time.monotonic() - started
                    results.append(stopped)
                    break
        signal.setitimer(signal.ITIMER_REAL, 0)
        print(render(results))
        skipped = names[len(results) :]
        if skipped:
            print(f"not run: {', '.join(skipped)}")
        if args.workdir:
            print(f"lakes and log: {workdir}")
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
