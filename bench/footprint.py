"""Footprint: the ingest Lambda (zip size, cold import) and lake bytes per million trades.

The zip is built by `python -m coinlake.devtools.lambda_package` (pip installs coinlake[aws]
into a temporary folder, so it needs the package index); a failure is reported, not fatal.
Cold import is a fresh interpreter importing the handler module `coinlake.runtime.lambda_ingest`
(median of 5), and the record notes any heavy package it pulled in (it must pull none).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.lakes import tree_bytes
from bench.report import Record, record

ROOT = Path(__file__).resolve().parent.parent
HANDLER = "coinlake.runtime.lambda_ingest"
HEAVY = ("duckdb", "pyarrow", "pandas", "pyspark", "numpy", "boto3")
_PROBE = (
    "import sys, time, json; t = time.perf_counter(); import {module}; "
    "s = time.perf_counter() - t; "
    "print(json.dumps({{'s': s, 'heavy': [m for m in {heavy!r} if m in sys.modules]}}))"
)


def cold_import(module: str = HANDLER, runs: int = 5) -> tuple[list[float], list[str]]:
    """Seconds to import `module` in fresh interpreters, and heavy packages it loaded."""
    times, heavy = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.format(module=module, heavy=HEAVY)],
            check=True, capture_output=True, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(result["s"])
        heavy = result["heavy"]
    return times, heavy


PACKAGER = "coinlake.devtools.lambda_package"
"""The project's Lambda packaging module (coinlake[aws] minus the runtime's boto3, zipped)."""


def lambda_zip(log: Callable[[str], None], work: Path) -> tuple[int | None, str]:
    """(zip bytes, note) from the packaging module, or (None, why not)."""
    target = work / "lambda" / "coinlake-ingest-lambda.zip"
    log(f"packaging the Lambda with python -m {PACKAGER}")
    command = [sys.executable, "-m", PACKAGER, "--output", str(target), "--runs", "1"]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"{PACKAGER} failed: {exc}"
    if done.returncode != 0 or not target.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no zip written"]
        return None, f"{PACKAGER} exited {done.returncode}: {tail[0][:200]}"
    return target.stat().st_size, f"{target.name} from python -m {PACKAGER}"


def records(
    lake: Path, counts: dict[str, Any], log: Callable[[str], None], work: Path
) -> list[Record]:
    """Footprint records; lake bytes come from the kept DuckDB lake of the largest size."""
    out: list[Record] = []
    size, note = lambda_zip(log, work)
    out.append(
        record("ingest Lambda zip", None if size is None else size / 2**20, "MB", "< 6", note)
    )
    log("cold import of the Lambda handler")
    try:
        times, heavy = cold_import()
        extra = (
            f"heavy packages imported: {', '.join(heavy)}"
            if heavy
            else "no duckdb/pyarrow/pandas/pyspark/numpy/boto3"
        )
        out.append(record("ingest Lambda cold import", times, "s", "< 0.15", f"{HANDLER}; {extra}"))
    except (subprocess.SubprocessError, OSError, ValueError) as exc:
        out.append(record("ingest Lambda cold import", None, "s", None, str(exc)[:300]))
    trades = counts.get("trades")  # unique trades, as the throughput figures count them
    if not trades or not lake.exists():
        out.append(record("lake bytes per 1M trades", None, "MB", None, "no DuckDB lake measured"))
        return out
    per_m = 1_000_000 / trades / 2**20
    bronze = tree_bytes(lake / "bronze", ".json")
    silver = tree_bytes(lake / "silver" / "trades", ".parquet")
    gold = tree_bytes(lake / "gold" / "trades_hourly", ".parquet")
    out.append(record("Bronze bytes per 1M trades", bronze * per_m, "MB", None, "JSON envelopes"))
    out.append(
        record(
            "Silver bytes per 1M trades",
            silver * per_m,
            "MB",
            None,
            f"Bronze/Silver = {bronze / max(silver, 1):.1f}x",
        )
    )
    out.append(record("Gold bytes per 1M trades", gold * per_m, "MB", None, "trades_hourly"))
    return out
