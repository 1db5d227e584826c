"""Fault storms: random fault scripts on the Coinbase endpoints over several runs.

Each storm is a fresh sandbox (its own seed and a random gap of missing trade ids) and lake.
Every round draws a new script of 2-4 rules (429 with and without Retry-After, 5xx, resets,
truncated JSON, HTML error pages, wrong shapes, renamed and dropped fields, swapped JSON types,
duplicated and shuffled rows, slow answers and timeouts), each firing with a probability of
5-30%; moves the market on; runs ingest (or a backfill) and transform whatever they exit with.
Then the faults stop and ordinary re-runs must converge on the uninterrupted lake.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from reliability.context import Context
from reliability.procs import MarketSpec
from reliability.report import PartResult
from reliability.scenario import Scenario

Options = Callable[[random.Random], dict[str, object]]
STORM: list[tuple[str, Options]] = [
    ("rate_limit", lambda r: {"retry_after": r.choice([0, 1])}),
    ("rate_limit", lambda r: {}),
    ("status", lambda r: {"status": r.choice([500, 502, 503, 504])}),
    ("reset", lambda r: {}),
    ("truncate", lambda r: {}),
    ("html", lambda r: {}),
    ("wrong_shape", lambda r: {}),
    ("rename_field", lambda r: {"field": r.choice(["price", "trade_id", "time"])}),
    ("drop_field", lambda r: {"field": r.choice(["size", "side"])}),
    ("numbers_as_strings", lambda r: {}),
    ("strings_as_numbers", lambda r: {}),
    ("duplicate_trades", lambda r: {"count": r.randint(1, 5)}),
    ("out_of_order_trades", lambda r: {}),
    ("delay", lambda r: {"seconds": round(r.uniform(0.2, 1.5), 2)}),
    ("timeout", lambda r: {"seconds": 3}),
]


def fault_script(rng: random.Random) -> list[dict[str, object]]:
    """2-4 random rules on the trades endpoint (sometimes one on `/products` too)."""
    rules: list[dict[str, object]] = []
    while len(rules) < rng.randint(2, 4):
        kind, options = rng.choice(STORM)
        endpoint = "coinbase.products" if rng.random() < 0.1 else "coinbase.trades"
        rule = {"kind": kind, "endpoint": endpoint, "probability": round(rng.uniform(0.05, 0.3), 2)}
        rules.append(rule | options(rng))
    return rules


def storm_spec(ctx: Context, rng: random.Random) -> MarketSpec:
    base = ctx.spec(seed=rng.randrange(1000))
    product = rng.choice(base.products)
    first = base.market().first_trade_id(product) + rng.randrange(100, 3000)
    return MarketSpec(**{**vars(base), "gaps": ((product, first, first + rng.randrange(50)),)})


def run(ctx: Context) -> PartResult:
    result = PartResult("fault storms", ctx.seed)
    storms, rounds = (1, 1) if ctx.quick else (4, 3)
    for storm in range(storms):
        rng = ctx.rng(f"storm:{storm}")
        with Scenario(ctx.workdir / f"storm-{storm}", storm_spec(ctx, rng), ctx.log) as sc:
            for round_ in range(rounds):
                script = fault_script(rng)
                ctx.note(f"storm {storm} round {round_}: {script}")
                sc.sandbox.set_faults(script)
                if round_:
                    sc.sandbox.advance(rng.randint(10, 60) * 60)
                sc.run(*(sc.backfill_args() if rng.random() < 0.3 else sc.ingest_args()))
                sc.run("transform", "all")
                sc.clear_faults()
            sc.settle()
            result.add(sc.verdict(), f"storm {storm}")
            result.faults += sc.faults_fired
            result.runs += sc.runs
    return result
