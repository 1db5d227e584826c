"""A small real lake for the quality tests: sandbox -> Bronze -> Silver/Gold, and ways to
break it (Parquet rows rewritten with DuckDB, Bronze objects removed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from coinlake.quality.api import QualityRun, run_quality
from coinlake.quality.config import QualityConfig
from coinlake.storage.base import ObjectStore
from coinlake.storage.factory import open_store
from coinlake.transform.api import make_engine, run_transform
from coinlake.transform.lake import LocalLake
from tests.integration.ingest.helpers import backfill, ingest, sandbox_settings

HISTORY_HOURS = 9
"""Hours of trades, prices and candles `build_lake` lands (the sandbox must hold them)."""


def build_lake(sb: Any, lake: Path, products: str = "BTC-USD") -> tuple[Any, ObjectStore]:
    """Ingest trades (from `HISTORY_HOURS` back), a CoinGecko snapshot and history, 5-minute
    candles, then transform: what `coinlake demo` does, on the test sandbox."""
    settings = sandbox_settings(sb, str(lake), products=products, coins="bitcoin")
    store = open_store(settings)
    now = sb.clock.now()
    start = now - timedelta(hours=HISTORY_HOURS)
    ingest(sb, store, settings, since=start)
    backfill(
        sb, store, settings, start_at=start, end_at=now, source="all",
        trades=False, candles_granularity_s=300,
    )  # fmt: skip
    transform(lake)
    return settings, store


def transform(lake: Path, *, full_refresh: bool = False) -> None:
    engine = make_engine("duckdb", threads=1)
    try:
        run_transform(LocalLake(lake), engine, "all", full_refresh=full_refresh)
    finally:
        engine.close()


def check(lake: Path, now: datetime, config: QualityConfig | None = None, **kw: Any) -> QualityRun:
    engine = make_engine("duckdb", threads=1)
    try:
        return run_quality(LocalLake(lake), engine, config or QualityConfig(), now=now, **kw)
    finally:
        engine.close()


def failed_checks(run: QualityRun, severity: str = "warn") -> set[str]:
    return {r.check for r in run.failed(severity)}  # type: ignore[arg-type]


def rewrite_one(lake: Path, table: str, select: str, *, keep: bool = True) -> Path:
    """Add (keep=True) or replace the first Parquet file of `table` (`silver/trades`) with
    `select` run over it as `t` (partition columns are not in the files)."""
    first = sorted((lake / table).rglob("*.parquet"))[0]
    target = first.with_name("part-broken.parquet") if keep else first
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    source = f"read_parquet('{first}')"
    con.execute(f"COPY ({select.replace('{t}', source)}) TO '{target}.tmp' (FORMAT parquet)")
    Path(f"{target}.tmp").replace(target)
    return target
