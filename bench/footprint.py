"""Footprint: the ingest Lambda (zip size, cold import) and lake bytes per million trades.

The zip comes from the project's Lambda packaging script when there is one (`scripts/` files
with `lambda` in the name); otherwise that figure is reported as not available. Cold import is
a fresh interpreter importing the handler module `coinlake.runtime.lambda_ingest` (median of 5),
and the record notes any heavy package it pulled in (it must pull none).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
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


def _packaging_script() -> Path | None:
    found = sorted(p for p in (ROOT / "scripts").glob("*") if "lambda" in p.name.lower())
    return found[0] if found else None


def lambda_zip(log: Callable[[str], None]) -> tuple[int | None, str]:
    """(zip bytes, note) from the packaging script, or (None, why not)."""
    script = _packaging_script()
    if script is None:
        return None, "no Lambda packaging script in scripts/ yet"
    log(f"packaging the Lambda with {script.relative_to(ROOT)}")
    started = time.time()
    command = [sys.executable, str(script)] if script.suffix == ".py" else ["bash", str(script)]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"{script.name} failed: {exc}"
    zips = [
        p
        for p in ROOT.rglob("*.zip")
        if ".venv" not in p.parts and p.stat().st_mtime >= started - 1
    ]
    if done.returncode != 0 or not zips:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no zip written"]
        return None, f"{script.name} exited {done.returncode}: {tail[0][:200]}"
    newest = max(zips, key=lambda p: p.stat().st_mtime)
    return newest.stat().st_size, f"{newest.relative_to(ROOT)} from {script.name}"


def records(lake: Path, counts: dict[str, Any], log: Callable[[str], None]) -> list[Record]:
    """Footprint records; lake bytes come from the kept DuckDB lake of the largest size."""
    out: list[Record] = []
    size, note = lambda_zip(log)
    out.append(
        record("ingest Lambda zip", None if size is None else size / 2**20, "MB", "<= 50", note)
    )
    log("cold import of the Lambda handler")
    try:
        times, heavy = cold_import()
        extra = (
            f"heavy packages imported: {', '.join(heavy)}"
            if heavy
            else "no duckdb/pyarrow/pandas/pyspark/numpy/boto3"
        )
        out.append(record("ingest Lambda cold import", times, "s", None, f"{HANDLER}; {extra}"))
    except (subprocess.SubprocessError, OSError, ValueError) as exc:
        out.append(record("ingest Lambda cold import", None, "s", None, str(exc)[:300]))
    trades = counts.get("rows")
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
