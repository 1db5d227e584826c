"""Hostile input: the property-based tests of `tests/unit/hostile` with many more examples (and
this part's seed), then hostile flags given to real `coinlake` processes: each must end with
exit 2 and one `error:` line, before any I/O (the API is a closed port and the lake folder must
not be created)."""

from __future__ import annotations

import re
import subprocess

from reliability.context import Context
from reliability.procs import PYTHON, ROOT, Coinlake, child_env
from reliability.report import PartResult

PRODUCTS = [
    "..", "../BTC-USD", "BTC-USD/../../x", "BTC/USD", "\u0412TC-USD", "BTC\u2010USD",
    "\uff22TC-USD", "b\u0131tc-usd", "X" * 5000,
]  # fmt: skip
FLAGS = [
    ["ingest", "--since", "9" * 5000],
    ["ingest", "--since", "2026-13-45T99:99:99Z"],
    ["backfill", "--from", "../../etc"],
    ["backfill", "--from", "2026-01-01", "--to", "2025-01-01"],
    ["ingest", "--max-pages", "-1"],
    ["ingest", "--source", "nasdaq"],
    ["transform", "platinum"],
    ["transform", "--engine", "../spark"],
    ["query", "--format", "xlsx", "SELECT 1"],
]


def cli_checks(ctx: Context, result: PartResult) -> None:
    cases = [["ingest", "--source", "coinbase", "--product", p] for p in PRODUCTS] + FLAGS
    if ctx.quick:  # the property tests run as unit tests in `make test`; a few flags here
        cases = [cases[1], cases[7], cases[len(PRODUCTS)]]
    for index, args in enumerate(cases):
        lake = ctx.workdir / f"lake-{index}"
        done = Coinlake(str(lake), {"COINLAKE_COINBASE_URL": "http://127.0.0.1:9"}, 60).run(*args)
        result.runs += 1
        result.faults += 1
        lines = done.lines()
        shown = " ".join(args)[:60]
        if done.returncode != 2 or len(lines) != 1 or not lines[0].startswith("error:"):
            result.problems.append(
                f"coinlake {shown}: exit {done.returncode}, {lines[-1:] or 'no error line'}"
            )
        elif lake.exists() and any(lake.rglob("*")):
            result.problems.append(f"coinlake {shown}: wrote into the lake before refusing")


def property_tests(ctx: Context, result: PartResult) -> None:
    examples = "30" if ctx.quick else "1500"
    done = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--hypothesis-seed={ctx.seed}",
         str(ROOT / "tests/unit/hostile")],
        capture_output=True, text=True, check=False, cwd=ROOT,
        env=child_env({"COINLAKE_HOSTILE_EXAMPLES": examples, "COINLAKE_HOSTILE_SEED": "1"}),
    )  # fmt: skip
    ctx.note(done.stdout[-3000:])
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    passed = sum(int(n) for n in re.findall(r"(\d+) passed", summary))
    result.runs += 1
    result.faults += passed * int(examples)
    result.notes.append(f"property tests, up to {examples} examples each: {summary}")
    if done.returncode != 0:
        result.problems.append(f"property tests failed: {summary}")


def run(ctx: Context) -> PartResult:
    result = PartResult("hostile input", ctx.seed)
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    cli_checks(ctx, result)
    if not ctx.quick:
        property_tests(ctx, result)
    return result
