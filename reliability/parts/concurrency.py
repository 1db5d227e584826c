"""Concurrent runs on one lake: two ingests of the same product, ingest beside transform, two
transforms; each started together as separate processes, then ordinary re-runs must converge.

A run that finds the product's lease taken skips it (`locked`), and a transform that finds a
table's lease taken exits 1 with one line naming the holder: both are allowed. What is not:
a lost or duplicated trade, a broken invariant, a traceback or any other failure of a transform.
"""

from __future__ import annotations

import subprocess
import time

from reliability.context import Context
from reliability.report import PartResult
from reliability.scenario import Scenario


def together(sc: Scenario, *commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Start the commands at the same moment and wait for all of them."""
    procs = [sc.coinlake.start(args) for args in commands]
    done = []
    for args, proc in zip(commands, procs, strict=True):
        out, err = proc.communicate(timeout=sc.coinlake.timeout_s)
        done.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
        sc.log.write(
            f"$ coinlake {' '.join(args)}  # concurrent, exit {proc.returncode}\n"
            f"{out[-1500:]}{err[-1500:]}\n"
        )
    sc.runs += len(commands)
    return done


def beside(
    sc: Scenario, long: list[str], short: list[str]
) -> list[subprocess.CompletedProcess[str]]:
    """Run `short` again and again while `long` runs."""
    proc = sc.coinlake.start(long)
    done = []
    while proc.poll() is None:
        one = sc.coinlake.run(*short)
        done.append(subprocess.CompletedProcess(short, one.returncode, one.stdout, one.stderr))
        sc.runs += 1
        time.sleep(0.1)
    out, err = proc.communicate()
    sc.runs += 1
    sc.log.write(
        f"$ coinlake {' '.join(long)}  # beside {len(done)} x {' '.join(short)}, "
        f"exit {proc.returncode}\n{err[-1500:]}\n"
    )
    return [subprocess.CompletedProcess(long, proc.returncode, out, err), *done]


def _tracebacks(results: list[subprocess.CompletedProcess[str]]) -> list[str]:
    return [
        f"{' '.join(r.args)}: {r.stderr.strip().splitlines()[-1]}"
        for r in results
        if "Traceback" in r.stderr or "unexpected" in r.stderr
    ]


def _unclear_refusals(pair: list[subprocess.CompletedProcess[str]]) -> list[str]:
    """A transform that lost the race for a table's lease must say so in one line, exit 1."""
    return [
        f"{' '.join(r.args)}: exit {r.returncode}: {r.stderr.strip()[-300:]}"
        for r in pair
        if r.returncode != 0 and not (r.returncode == 1 and r.stderr.count("locked by run") == 1)
    ]


def run(ctx: Context) -> PartResult:
    result = PartResult("concurrency", ctx.seed)
    rng = ctx.rng("concurrency")
    rounds = 1 if ctx.quick else 4
    with Scenario(ctx.workdir / "lake", ctx.spec(), ctx.log) as sc:
        outcomes = []  # the reference is built at the end, for the market as it is then
        for _ in range(rounds):
            outcomes += together(sc, sc.ingest_args(), sc.ingest_args())
            sc.sandbox.advance(ctx.minutes(rng, 10, 60, moves=2))
            outcomes += beside(sc, sc.ingest_args(), ["transform", "all"])
            sc.sandbox.advance(ctx.minutes(rng, 10, 60, moves=2))
            sc.run(*sc.ingest_args())
            pair = together(sc, ["transform", "all"], ["transform", "all"])
            outcomes += pair
            result.problems += _unclear_refusals(pair)
            result.faults += 3
        result.problems += _tracebacks(outcomes)
        sc.settle()
        result.add(sc.verdict(), "lake")
        result.runs += sc.runs
    return result
