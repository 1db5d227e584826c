"""Appending new trades to today's partition: the same lake as a rewrite, crash-safe, compacted.

A page whose ids lie above every id of the partitions it lands in is written as a new part file
beside the old ones; a page that can repeat a trade already there rewrites the partition as
before. Either way the lake holds exactly the rows a full refresh gives.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from coinlake.engines.duckdb import DuckDBEngine
from coinlake.errors import StorageError
from coinlake.storage.layout import bookmark_key
from coinlake.storage.local import LocalStore
from coinlake.tables import catalog
from coinlake.transform.runner import run_transform
from coinlake.transform.verify import verify_lake
from tests.integration.transform.helpers import T, lake_snapshot, land_page, run, trades

pytestmark = pytest.mark.integration

DAY = "silver/trades/product_id=BTC-USD/date=2026-11-22"
NEXT_DAY = "silver/trades/product_id=BTC-USD/date=2026-11-23"


def _page(root: Path, fetched: str, ids: range, hour: int, day: int = 22) -> str:
    return land_page(
        root,
        "BTC-USD",
        fetched,
        [
            T(i, f"2026-11-{day}T{hour:02d}:{i % 60:02d}:00.{i:06d}Z", f"9{i % 7}.5", "0.25")
            for i in ids
        ],
    )


def _parts(root: Path, folder: str) -> int:
    return len(list((root / folder).glob("part-*.parquet")))


def _bookmark(root: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (root / bookmark_key("silver.trades")).read_text(encoding="utf-8")
    )
    return document


def _rebuilt(root: Path, tmp: Path) -> dict[str, Any]:
    """The snapshot of a full refresh of a copy of `root`'s Bronze."""
    copy = tmp / "full-refresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root / "bronze", copy / "bronze")
    run(copy, full_refresh=True)
    return lake_snapshot(copy)


def _intact(root: Path) -> None:
    report = verify_lake(LocalStore(root), "all", catalog.silver_tables(), catalog.gold_tables())
    assert not report.damaged, report.damaged
    assert not any(report.unrecorded.values()), report.unrecorded


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    _page(root, "2026-11-22T01:10:00Z", range(1001, 1011), 1)
    run(root)
    return root


def test_pages_above_the_partition_are_appended_and_equal_a_rewrite(
    lake: Path, tmp_path: Path
) -> None:
    _page(lake, "2026-11-22T02:10:00Z", range(1011, 1021), 2)
    appended = trades(run(lake))
    _page(lake, "2026-11-22T03:10:00Z", range(1021, 1026), 3)
    run(lake)
    assert (appended.rows_written, appended.rows_deduped, appended.partitions_rewritten) == (
        10,
        0,
        1,
    )
    assert _parts(lake, DAY) == 3  # the first file was neither read nor rewritten
    document = _bookmark(lake)
    assert document["ranges"]["product_id=BTC-USD/date=2026-11-22"] == [1001, 1025]
    assert document["changes"][-1]["spans"] == {
        "product_id=BTC-USD/date=2026-11-22": [
            "2026-11-22T03:01:00.001021+00:00",
            "2026-11-22T03:05:00.001025+00:00",
        ]
    }
    assert lake_snapshot(lake) == _rebuilt(lake, tmp_path)
    _intact(lake)


def test_the_next_day_compacts_the_finished_one_into_one_file(lake: Path, tmp_path: Path) -> None:
    _page(lake, "2026-11-22T02:10:00Z", range(1011, 1021), 2)
    run(lake)
    assert _parts(lake, DAY) == 2
    _page(lake, "2026-11-23T00:10:00Z", range(1021, 1031), 0, day=23)
    summary = trades(run(lake))
    assert summary.rows_written == 10
    assert (_parts(lake, DAY), _parts(lake, NEXT_DAY)) == (1, 1)
    assert lake_snapshot(lake) == _rebuilt(lake, tmp_path)
    _intact(lake)


def assert_compacts_in_time_order(root: Path, run_engine: Callable[[Path], object]) -> None:
    _page(root, "2026-11-22T01:10:00Z", range(1001, 1011), 1)
    run_engine(root)
    # new ids with earlier times (hour 0, before the first page's hour 1): appended after them
    _page(root, "2026-11-22T02:10:00Z", range(1011, 1021), 0)
    run_engine(root)
    _page(root, "2026-11-23T00:10:00Z", range(1021, 1031), 0, day=23)
    run_engine(root)
    (part,) = (root / DAY).glob("part-*.parquet")
    times = duckdb.sql(f"SELECT trade_time FROM read_parquet('{part}')").fetchall()
    assert len(times) == 20
    assert times == sorted(times)  # each row group then holds one stretch of the day


def test_a_compacted_partition_is_written_in_event_time_order(tmp_path: Path) -> None:
    assert_compacts_in_time_order(tmp_path / "lake", run)


def test_a_page_that_repeats_a_trade_rewrites_and_dedups(lake: Path, tmp_path: Path) -> None:
    _page(lake, "2026-11-22T02:10:00Z", range(1011, 1021), 2)
    run(lake)
    # a re-fetch: trade 1015 again (a later fetch, which loses), with two new trades
    _page(lake, "2026-11-22T02:20:00Z", range(1015, 1016), 2)
    _page(lake, "2026-11-22T02:30:00Z", range(1021, 1023), 2)
    summary = trades(run(lake))
    assert (summary.rows_deduped, summary.rows_written) == (1, 22)  # the whole day rewritten
    assert _parts(lake, DAY) == 1
    assert lake_snapshot(lake) == _rebuilt(lake, tmp_path)
    assert _bookmark(lake)["ranges"]["product_id=BTC-USD/date=2026-11-22"] == [1001, 1022]
    _intact(lake)


def test_a_page_holding_a_trade_twice_is_appended_once(lake: Path, tmp_path: Path) -> None:
    row = T(1011, "2026-11-22T02:00:00Z", "91.5", "0.25")
    land_page(lake, "BTC-USD", "2026-11-22T02:10:00Z", [row, row, T(1012, row.time, "9", "1")])
    summary = trades(run(lake))
    assert (summary.rows_written, summary.rows_deduped) == (2, 1)
    assert _parts(lake, DAY) == 2
    assert lake_snapshot(lake) == _rebuilt(lake, tmp_path)


def test_a_partition_from_before_the_ranges_gets_them_and_is_appended_to(
    lake: Path, tmp_path: Path
) -> None:
    document = _bookmark(lake)
    del document["ranges"]  # a lake written before ranges were recorded
    (lake / bookmark_key("silver.trades")).write_text(json.dumps(document), encoding="utf-8")
    _page(lake, "2026-11-22T02:10:00Z", range(1011, 1021), 2)
    assert trades(run(lake)).rows_written == 10  # its ids were read: none of the page's
    assert _bookmark(lake)["ranges"]["product_id=BTC-USD/date=2026-11-22"] == [1001, 1020]
    assert _parts(lake, DAY) == 2
    assert lake_snapshot(lake) == _rebuilt(lake, tmp_path)


def test_a_late_page_of_new_trades_inside_the_range_is_appended(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    _page(lake, "2026-11-22T01:10:00Z", range(1001, 1021, 2), 1)  # odd ids: the even are late
    run(lake)
    _page(lake, "2026-11-22T05:10:00Z", range(1002, 1021, 2), 1)
    summary = trades(run(lake))
    assert (summary.rows_written, summary.rows_deduped) == (10, 0)
    assert _parts(lake, DAY) == 2
    assert lake_snapshot(lake) == _rebuilt(lake, tmp_path)
    _intact(lake)


def test_only_the_partition_a_repeated_trade_lands_in_is_rewritten(
    lake: Path, tmp_path: Path
) -> None:
    eth = "silver/trades/product_id=ETH-USD/date=2026-11-22"
    land_page(lake, "ETH-USD", "2026-11-22T01:10:00Z", [T(7001, "2026-11-22T01:00:00Z", "3", "1")])
    run(lake)
    _page(lake, "2026-11-22T02:10:00Z", range(1010, 1013), 2)  # 1010 again, two new
    land_page(lake, "ETH-USD", "2026-11-22T02:10:00Z", [T(7002, "2026-11-22T02:00:00Z", "3", "1")])
    summary = trades(run(lake))
    assert (summary.rows_written, summary.rows_deduped) == (12 + 1, 1)
    assert (_parts(lake, DAY), _parts(lake, eth)) == (1, 2)
    change = _bookmark(lake)["changes"][-1]
    assert change["partitions"] == ["product_id=BTC-USD/date=2026-11-22", eth.split("/", 2)[2]]
    assert list(change["spans"]) == [eth.split("/", 2)[2]]  # the appended partition only
    assert lake_snapshot(lake) == _rebuilt(lake, tmp_path)
    _intact(lake)


def test_a_run_of_several_batches_rewrites_what_it_wrote_itself(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    for hour in (1, 2, 3):
        _page(lake, f"2026-11-22T0{hour}:10:00Z", range(1000 + 10 * hour, 1010 + 10 * hour), hour)
    engine = DuckDBEngine(threads=2, memory_limit="512MB")
    summary = trades(run_transform(LocalStore(lake), engine, "all", max_batch_objects=1))
    engine.close()
    # three batches into one partition: one file, each batch deduplicated with the one before
    assert (summary.objects_read, summary.rows_written) == (3, 10 + 20 + 30)
    assert _parts(lake, DAY) == 1
    assert lake_snapshot(lake) == _rebuilt(lake, tmp_path)


class CrashingLake(LocalStore):
    """A lake whose process 'dies' the `nth` time it is about to write the Silver bookmark."""

    def __init__(self, root: Path, nth: int) -> None:
        super().__init__(root)
        self.left = nth

    def put(self, key: str, data: bytes) -> None:
        if key == bookmark_key("silver.trades"):
            self.left -= 1
            if self.left == 0:
                raise StorageError("simulated crash")
        super().put(key, data)


@pytest.mark.parametrize(
    "nth", [1, 2], ids=["append-before-bookmark", "compaction-before-bookmark"]
)
def test_a_crash_in_an_append_or_a_compaction_recovers(
    lake: Path, tmp_path: Path, nth: int
) -> None:
    _page(lake, "2026-11-22T02:10:00Z", range(1011, 1021), 2)
    run(lake)
    _page(lake, "2026-11-23T00:10:00Z", range(1021, 1031), 0, day=23)
    engine = DuckDBEngine(threads=2, memory_limit="512MB")
    with pytest.raises(StorageError, match="simulated crash"):
        run_transform(CrashingLake(lake, nth), engine, "all")
    engine.close()
    recovered = trades(run(lake))
    # the journal was written: the rerun rolls the commit forward and has nothing new to read
    assert (recovered.recovered, recovered.objects_read) == (True, 0)
    assert lake_snapshot(lake) == _rebuilt(lake, tmp_path)
    assert not list((lake / "_state" / "journal").glob("*.json"))
    _intact(lake)
    # a compaction the crash cut off is done by the next run that writes the product
    assert _parts(lake, DAY) == (2 if nth == 1 else 1)
    _page(lake, "2026-11-23T01:10:00Z", range(1031, 1041), 1, day=23)
    run(lake)
    assert (_parts(lake, DAY), _parts(lake, NEXT_DAY)) == (1, 2)
    assert lake_snapshot(lake) == _rebuilt(lake, tmp_path)
    _intact(lake)


def _run_spark(spark: Any, root: Path, layer: str = "all", full: bool = False) -> None:
    from coinlake.engines.spark import SparkEngine

    engine = SparkEngine(spark)
    try:
        run_transform(LocalStore(root), engine, layer, full_refresh=full)  # type: ignore[arg-type]
    finally:
        engine.close()


@pytest.mark.spark
def test_spark_compacts_a_partition_in_event_time_order(spark: Any, tmp_path: Path) -> None:
    assert_compacts_in_time_order(tmp_path / "lake", lambda root: _run_spark(spark, root))


@pytest.mark.spark
def test_spark_appends_like_duckdb_and_reads_appended_parts(spark: Any, tmp_path: Path) -> None:
    def run_spark(root: Path) -> None:
        _run_spark(spark, root)

    lakes = {"duckdb": (tmp_path / "duckdb", run), "spark": (tmp_path / "spark", run_spark)}
    for name, (root, run_engine) in lakes.items():
        _page(root, "2026-11-22T01:10:00Z", range(1001, 1011), 1)
        run_engine(root)
        _page(root, "2026-11-22T02:10:00Z", range(1011, 1021), 2)
        run_engine(root)
        _page(root, "2026-11-22T03:10:00Z", range(1021, 1026), 3)
        run_engine(root)
        assert _parts(root, DAY) == 3, name
    duck, sprk = tmp_path / "duckdb", tmp_path / "spark"
    expected = lake_snapshot(duck)
    assert lake_snapshot(sprk) == expected
    # Spark rebuilds Gold from DuckDB's three part files: the same rows
    _run_spark(spark, duck, "gold", full=True)
    assert lake_snapshot(duck) == expected == _rebuilt(duck, tmp_path)
    _intact(sprk)
