"""Gold `trades_hourly` after appends: only the hours the appended rows fall in are read again.

Each step lands pages, runs the transform and checks three things: the run read only the
Silver rows of the hours it had to (or the whole day, after a rewrite), Gold equals the hourly
aggregate of Silver computed in Python, and at the end Gold equals a full refresh's.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from coinlake.engines.duckdb import DuckDBEngine
from coinlake.storage.layout import bookmark_key
from coinlake.storage.local import LocalStore
from coinlake.tables.gold.trades_hourly import TABLE as TRADES_HOURLY
from coinlake.transform.gold import run_gold
from coinlake.transform.runner import TableSummary, run_transform
from tests.integration.transform.helpers import (
    T,
    gold_by_key,
    lake_snapshot,
    land_page,
    read_table,
    reference_gold,
    run,
)

pytestmark = pytest.mark.integration

Runner = Callable[[Path, str], list[TableSummary]]


def _page(root: Path, product: str, ids: range, start: str, step_minutes: int = 5) -> None:
    """One page of trades `ids`, the first at `start` (UTC), each `step_minutes` later."""
    first = datetime.fromisoformat(start).replace(tzinfo=UTC)
    trades = []
    for n, trade_id in enumerate(ids):
        at = first + timedelta(minutes=n * step_minutes, microseconds=trade_id)
        price = f"9{trade_id % 7}.{trade_id % 100:02d}"
        side = "sell" if trade_id % 2 else "buy"
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        trades.append(T(trade_id, stamp, price, f"0.{trade_id % 9 + 1}", side))
    fetched = first + timedelta(minutes=len(ids) * step_minutes + 1)
    land_page(root, product, fetched.strftime("%Y-%m-%dT%H:%M:%SZ"), trades)


def _silver_rows(root: Path, product: str, start: str, end: str) -> int:
    low = datetime.fromisoformat(start).replace(tzinfo=UTC)
    high = datetime.fromisoformat(end).replace(tzinfo=UTC)
    rows = read_table(root, "silver/trades", "trade_id")
    return sum(1 for r in rows if r["product_id"] == product and low <= r["trade_time"] < high)


def _gold(summaries: list[TableSummary]) -> TableSummary:
    (found,) = [s for s in summaries if s.table == "gold.trades_hourly"]
    return found


def _matches_silver(root: Path) -> None:
    silver = read_table(root, "silver/trades", "product_id, trade_id")
    assert gold_by_key(read_table(root, "gold/trades_hourly", "hour")) == reference_gold(silver)


def _steps(root: Path, run_engine: Runner) -> None:
    """The sequence of pages both engines go through (see the module docstring)."""
    _page(root, "BTC-USD", range(1001, 1025), "2026-11-22T01:00:00")  # hours 01-02
    _page(root, "ETH-USD", range(5001, 5013), "2026-11-22T01:00:00")
    run_engine(root, "all")
    _matches_silver(root)

    # appended into hour 02, which already holds rows: the hour is read whole, not the page
    _page(root, "BTC-USD", range(1025, 1029), "2026-11-22T02:56:00", step_minutes=1)
    gold = _gold(run_engine(root, "all"))
    assert gold.rows_in == _silver_rows(root, "BTC-USD", "2026-11-22 02:00", "2026-11-22 03:00")
    _matches_silver(root)

    # a page straddling an hour (03:50 to 04:10)
    _page(root, "BTC-USD", range(1029, 1034), "2026-11-22T03:50:00")
    gold = _gold(run_engine(root, "all"))
    assert gold.rows_in == _silver_rows(root, "BTC-USD", "2026-11-22 03:00", "2026-11-22 05:00")
    _matches_silver(root)

    # a page straddling a day (23:50 to 00:10): two partitions, each read for its own hour
    _page(root, "BTC-USD", range(1034, 1039), "2026-11-22T23:50:00")
    gold = _gold(run_engine(root, "all"))
    assert gold.rows_in == _silver_rows(root, "BTC-USD", "2026-11-22 23:00", "2026-11-23 01:00")
    _matches_silver(root)

    # two Silver versions before Gold runs: a late page of new ids in hour 01 and one in
    # hour 05; Gold reads the hours from the first one's to the last one's, and ETH-USD not
    _page(root, "BTC-USD", range(1100, 1102), "2026-11-22T01:40:00")
    run_engine(root, "silver")
    _page(root, "BTC-USD", range(1102, 1104), "2026-11-22T05:10:00")
    run_engine(root, "silver")
    gold = _gold(run_engine(root, "all"))
    assert gold.rows_in == _silver_rows(root, "BTC-USD", "2026-11-22 01:00", "2026-11-22 06:00")
    assert gold.partitions_rewritten == 1
    _matches_silver(root)

    # a page repeating a trade already there rewrites the Silver day: Gold reads the whole day
    _page(root, "BTC-USD", range(1031, 1034), "2026-11-22T04:00:00")
    gold = _gold(run_engine(root, "all"))
    day = _silver_rows(root, "BTC-USD", "2026-11-22 00:00", "2026-11-23 00:00")
    assert gold.rows_in == day
    _matches_silver(root)

    # and the next append after that rewrite is read by the hour again
    _page(root, "ETH-USD", range(5013, 5015), "2026-11-22T07:30:00")
    gold = _gold(run_engine(root, "all"))
    assert gold.rows_in == _silver_rows(root, "ETH-USD", "2026-11-22 07:00", "2026-11-22 08:00")
    _matches_silver(root)


def _full_refresh_of(root: Path, tmp: Path, run_engine: Runner) -> dict[str, Any]:
    copy = tmp / f"full-refresh-{root.name}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root / "bronze", copy / "bronze")
    run_engine(copy, "full")
    return lake_snapshot(copy)


def _duckdb(root: Path, layer: str) -> list[TableSummary]:
    if layer == "full":
        return run(root, full_refresh=True)
    return run(root, layer)


def test_appends_recompute_their_hours_and_equal_a_full_refresh(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    _steps(root, _duckdb)
    assert lake_snapshot(root) == _full_refresh_of(root, tmp_path, _duckdb)


@pytest.mark.spark
def test_spark_recomputes_the_same_hours_as_duckdb(spark: Any, tmp_path: Path) -> None:
    from coinlake.engines.spark import SparkEngine

    def spark_run(root: Path, layer: str) -> list[TableSummary]:
        engine = SparkEngine(spark)
        try:
            full = layer == "full"
            store = LocalStore(root)
            return run_transform(store, engine, "all" if full else layer, full_refresh=full)  # type: ignore[arg-type]
        finally:
            engine.close()

    _steps(tmp_path / "spark", spark_run)
    _steps(tmp_path / "duckdb", _duckdb)
    assert lake_snapshot(tmp_path / "spark") == lake_snapshot(tmp_path / "duckdb")


class _CountingStore(LocalStore):
    """A local lake that counts the reads of one key."""

    def __init__(self, root: Path, key: str) -> None:
        super().__init__(root)
        self.key, self.reads = key, 0

    def get_with_version(self, key: str) -> tuple[bytes, str] | None:
        self.reads += key == self.key
        return super().get_with_version(key)


def test_a_run_reads_its_source_s_bookmark_once(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    _page(root, "BTC-USD", range(1001, 1005), "2026-11-22T01:00:00")
    run(root)
    _page(root, "BTC-USD", range(1005, 1007), "2026-11-22T02:00:00")
    run(root, "silver")
    store = _CountingStore(root, bookmark_key("silver.trades"))
    engine = DuckDBEngine(threads=2, memory_limit="512MB")
    try:
        summary = run_gold(TRADES_HOURLY, store, engine)
    finally:
        engine.close()
    assert summary.partitions_rewritten == 1
    assert store.reads == 1
    _matches_silver(root)
