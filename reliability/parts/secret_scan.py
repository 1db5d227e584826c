"""Secrets: with a CoinGecko API key set, nothing a run writes may contain it.

Runs ingest (CoinGecko and Coinbase), a CoinGecko history backfill, transform and status at
DEBUG level, with CoinGecko faults (429, 5xx, resets, HTML pages, a 401) so error paths and
retry logs run too; then scans every file of the lake (Bronze envelopes, `_state/`, Silver and
Gold), every command's stdout and stderr, for the key as sent and URL-encoded.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import quote

from reliability.context import Context
from reliability.report import PartResult
from reliability.scenario import Scenario

FAULTS = [
    {"kind": "rate_limit", "endpoint": "coingecko.*", "probability": 0.3, "retry_after": 1},
    {"kind": "status", "endpoint": "coingecko.*", "probability": 0.2, "status": 500},
    {"kind": "status", "endpoint": "coingecko.simple_price", "calls": [1], "status": 401},
    {"kind": "html", "endpoint": "coingecko.*", "probability": 0.1},
    {"kind": "reset", "endpoint": "coingecko.*", "probability": 0.1},
]


def leaks(needles: list[bytes], texts: dict[str, bytes]) -> list[str]:
    """Where any needle occurs."""
    return [where for where, data in texts.items() if any(n in data for n in needles)]


def run(ctx: Context) -> PartResult:
    result = PartResult("secrets", ctx.seed)
    key = "CG-" + secrets.token_urlsafe(18)
    needles = [key.encode(), quote(key, safe="").encode()]
    env = {"COINLAKE_COINGECKO_API_KEY": key, "COINLAKE_LOG_LEVEL": "DEBUG"}
    with Scenario(ctx.workdir / "lake", ctx.spec(), ctx.log, extra_env=env) as sc:
        sc.reference()
        sc.sandbox.set_faults(FAULTS)
        runs = [sc.run("--log-level", "DEBUG", "ingest", "--since", sc.since)]
        if not ctx.quick:
            runs += [
                sc.run(
                    "--log-level",
                    "DEBUG",
                    "backfill",
                    "--source",
                    "coingecko",
                    "--from",
                    sc.since[:10],
                ),
                sc.run("--log-level", "DEBUG", "ingest", "--source", "coingecko"),
                sc.run("--debug", "transform", "all"),
                sc.run("--debug", "status"),
            ]
        sc.clear_faults()
        sc.settle()
        assert sc.lake is not None
        texts = {
            f"lake file {p.relative_to(sc.lake)}": p.read_bytes()
            for p in Path(sc.lake).rglob("*")
            if p.is_file()
        }
        for index, done in enumerate(runs):
            texts[f"output of {' '.join(done.args[2:4])} #{index}"] = (
                done.stdout + done.stderr
            ).encode()
        found = leaks(needles, texts)
        result.problems += [f"the API key appears in {where}" for where in found]
        if not any(p.startswith("lake file bronze/source=coingecko") for p in texts):
            result.problems.append("no CoinGecko response landed: the key was never used")
        result.faults = sc.faults_fired
        ctx.note(f"secrets: scanned {len(texts)} files and outputs for the key")
        result.notes.append(f"scanned {len(texts)} lake files and command outputs")
        result.add(sc.verdict(), "lake")
        result.runs += sc.runs
    return result
