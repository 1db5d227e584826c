"""DuckDB and Spark give the same lake, value for value, from the same Bronze.

One Bronze fixture (generated pages with re-fetches, late pages, string ids, bad rows and
unparsable responses; hand-made edge trades; CoinGecko snapshots and candles) is copied into one
lake per engine; each engine runs `run_transform` on its lake; every Silver, Gold and quarantine
table must hold identical rows (Decimal exact, microsecond timestamps), identical Parquet types
and the same partitions, one `part-*.parquet` file each. Then incremental runs on Spark: one new
page equals a full refresh, and nothing new writes nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import astuple
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from coinlake.engines.duckdb import DuckDBEngine
from coinlake.engines.spark import SparkEngine
from coinlake.storage.local import LocalStore
from coinlake.transform.runner import TableSummary, run_transform
from tests.integration.transform.helpers import T, land_page, read_table
from tests.integration.transform.spark_lake import (
    TABLES,
    WHITESPACE_PAGES,
    copy_bronze,
    file_schema,
    partition_files,
    snapshot,
    write_bronze,
)

pytestmark = [pytest.mark.integration, pytest.mark.spark]


def _counts(summaries: list[TableSummary]) -> list[tuple[Any, ...]]:
    """Summary figures without the timings."""
    return [astuple(s)[:-1] for s in summaries]


def _run_duckdb(root: Path, full_refresh: bool = False) -> list[TableSummary]:
    engine = DuckDBEngine(threads=2, memory_limit="512MB")
    try:
        return run_transform(LocalStore(root), engine, full_refresh=full_refresh)
    finally:
        engine.close()


def _run_spark(spark: Any, root: Path, full_refresh: bool = False) -> list[TableSummary]:
    engine = SparkEngine(spark)
    try:
        return run_transform(LocalStore(root), engine, full_refresh=full_refresh)
    finally:
        engine.close()


@pytest.fixture(scope="module")
def lakes(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("parity")
    write_bronze(base / "bronze-only")
    duck = copy_bronze(base / "bronze-only", base / "duckdb")
    sprk = copy_bronze(base / "bronze-only", base / "spark")
    return {
        "base": base,
        "duckdb": duck,
        "spark": sprk,
        "duckdb_summaries": _run_duckdb(duck),
        "spark_summaries": _run_spark(spark, sprk),
    }


def test_both_engines_write_identical_rows_types_and_partitions(lakes: dict[str, Any]) -> None:
    duck, sprk = lakes["duckdb"], lakes["spark"]
    expected, got = snapshot(duck), snapshot(sprk)
    for table in TABLES:
        assert expected[table], f"the fixture leaves {table} empty"
        assert got[table] == expected[table], table
        assert file_schema(sprk, table) == file_schema(duck, table), table
        files = partition_files(sprk, table)
        assert files.keys() == partition_files(duck, table).keys(), table
        assert set(files.values()) == {1}, table
    assert _counts(lakes["spark_summaries"]) == _counts(lakes["duckdb_summaries"])


def test_the_fixture_covers_what_parity_must_prove(lakes: dict[str, Any]) -> None:
    rows = snapshot(lakes["spark"])
    rules = {row[0] for row in rows["quarantine/trades"]}
    assert rules == {
        "unparsable_response",
        "missing_trade_id",
        "bad_trade_time",
        "bad_price",
        "bad_size",
        "unknown_side",
        "unreadable_object",
    }
    unreadable = {
        row[2]
        for table in ("quarantine/trades", "quarantine/prices", "quarantine/candles")
        for row in rows[table]
        if row[0] == "unreadable_object"
    }
    assert len(unreadable) == 4
    assert {row[0] for row in rows["quarantine/prices"]} >= {"bad_price", "bad_last_updated_at"}
    assert any("market_chart_range" in str(row) for row in rows["silver/prices"])
    summary = {s.table: s for s in lakes["spark_summaries"]}["silver.trades"]
    assert summary.rows_deduped > 0
    silver = read_table(lakes["spark"], "silver/trades", "product_id, trade_id")
    assert {row["product_id"] for row in silver} == {"BTC-USD", "ETH-USD", "SOL-USD"}
    assert len({row["date"] for row in silver}) >= 4  # event days
    assert any(row["trade_time"].microsecond % 1000 for row in silver)  # sub-millisecond times


def test_bodies_with_line_breaks_give_their_rows_on_both_engines(lakes: dict[str, Any]) -> None:
    wanted = {("BTC-USD", t.trade_id) for page in WHITESPACE_PAGES.values() for t in page}
    for engine in ("duckdb", "spark"):
        silver = read_table(lakes[engine], "silver/trades", "product_id, trade_id")
        assert wanted <= {(row["product_id"], row["trade_id"]) for row in silver}, engine
        prices = read_table(lakes[engine], "silver/prices", "coin_id")
        assert any(
            row["coin_id"] == "ethereum" and row["price"] == Decimal("3001.25") for row in prices
        ), engine


NEW_PAGE = [
    T(100_000_000, "2026-11-20T00:00:00.000001Z", "1.00", "1.00000000", "sell"),  # a duplicate
    T(99_999_998, "2026-11-19T23:59:59.999998Z", "91234.57", "0.12345678", "buy"),
    T(99_999_999, "2026-11-20T00:00:00.000000Z", "91234.585", "0.00000003", "sell"),
]
"""A late page: trades just before the first ones (a new event day), one already in Silver."""


def _with_new_page(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    land_page(target, "BTC-USD", "2026-11-26T08:00:00Z", NEW_PAGE)
    return target


def test_spark_incremental_run_with_one_new_page_equals_a_full_refresh(
    spark: Any, lakes: dict[str, Any]
) -> None:
    base = lakes["base"]
    lake = _with_new_page(lakes["spark"], base / "spark-incremental")
    incremental = {s.table: s for s in _run_spark(spark, lake)}
    trades = incremental["silver.trades"]
    assert (trades.objects_read, trades.rows_in, trades.rows_deduped) == (1, 3, 1)
    assert incremental["silver.prices"].objects_read == 0
    assert 0 < incremental["gold.trades_hourly"].partitions_rewritten <= 2
    after_incremental = snapshot(lake)
    _run_spark(spark, lake, full_refresh=True)
    assert snapshot(lake) == after_incremental
    duck = _with_new_page(lakes["duckdb"], base / "duckdb-incremental")
    _run_duckdb(duck)
    assert snapshot(duck) == after_incremental


def test_spark_run_with_nothing_new_writes_nothing(spark: Any, lakes: dict[str, Any]) -> None:
    lake = lakes["base"] / "spark-rerun"
    shutil.copytree(lakes["spark"], lake)

    def files() -> dict[Path, int]:
        # every run takes and releases its tables' leases; nothing else may be written
        return {
            p: p.stat().st_mtime_ns
            for p in lake.rglob("*")
            if p.is_file() and "locks" not in p.parts
        }

    before = files()
    summaries = _run_spark(spark, lake)
    assert not any(s.changed for s in summaries)
    assert files() == before
    assert before, "the copied lake has files"
