"""kill -9 of ingest, backfill and transform at random moments, then ordinary re-runs.

A kill lands `uniform(0.3, 1.2) x` the uninterrupted command's wall time after its start (the
seed fixes the moments; the machine's speed decides what was running then). Between kills the
sandbox's clock moves on when the last run finished (new trades: work to interrupt); a backfill
that finished starts over with `--restart`. Full size: 8 kills per target, one lake per target;
quick: one kill of ingest and one of transform on one lake.
"""

from __future__ import annotations

import random

from reliability.context import Context
from reliability.report import PartResult
from reliability.scenario import Scenario

TARGETS = ("ingest", "backfill", "transform")


def _command(sc: Scenario, target: str, rng: random.Random, finished: bool) -> list[str]:
    if target == "transform":
        sc.run(*sc.ingest_args())
        return rng.choice(
            [["transform", "all"], ["transform", "silver"], ["transform", "all", "--full-refresh"]]
        )
    if target == "ingest":
        return sc.ingest_args()
    return sc.backfill_args() + (["--restart"] if finished else [])


def attack(
    ctx: Context, sc: Scenario, target: str, kills: int, rng: random.Random, result: PartResult
) -> None:
    """`kills` runs of `target`, each SIGKILLed at a random moment; then the backfill's end."""
    finished = target == "transform"
    for _ in range(kills):
        if finished:
            sc.sandbox.advance(ctx.minutes(rng, 5, 40, moves=kills))
        args = _command(sc, target, rng, finished)
        moment = (
            rng.uniform(0.3, 1.2) * sc.timings["transform" if target == "transform" else "ingest"]
        )
        done = sc.run(*args, kill_after=moment)
        sc.log.write(
            f"kill {target} at {moment:.2f}s: {'killed' if done.killed else 'finished first'}\n"
        )
        result.faults += done.killed
        finished = target == "transform" or not done.killed
    if target == "backfill":
        done = sc.run(*sc.backfill_args())
        if done.returncode != 0:
            result.problems.append(
                f"backfill after kills: exit {done.returncode}: {done.lines()[-1:]}"
            )


def run(ctx: Context) -> PartResult:
    result = PartResult("kill -9", ctx.seed)
    plan = (
        [("ingest+transform", ("ingest", "transform"), 1)]
        if ctx.quick
        else [(target, (target,), 8) for target in TARGETS]
    )
    for name, targets, kills in plan:
        with Scenario(ctx.workdir / name, ctx.spec(), ctx.log) as sc:
            sc.reference()
            for target in targets:
                attack(ctx, sc, target, kills, ctx.rng(f"kill:{target}"), result)
            sc.settle()
            result.add(sc.verdict(), name)
            result.runs += sc.runs
    return result
