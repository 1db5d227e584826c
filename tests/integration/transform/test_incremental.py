"""Incremental runs: bookmarks, no-op re-runs, convergence with --full-refresh and after crashes."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from coinlake.devtools.bronze_pages import PageSpec, write_trade_pages
from coinlake.engines.duckdb import DuckDBEngine
from coinlake.errors import StorageError
from coinlake.storage import folder_marks
from coinlake.storage.folder_marks import list_marked
from coinlake.storage.layout import bookmark_key
from coinlake.storage.local import LocalStore
from coinlake.tables.silver.trades import TABLE as SILVER_TRADES
from coinlake.transform import dedup
from coinlake.transform.runner import run_transform
from coinlake.transform.state import read_bookmark
from tests.integration.transform.helpers import expected_silver_keys, lake_snapshot, run, trades

pytestmark = pytest.mark.integration

SPEC = PageSpec(
    trades=3_000,
    products=("BTC-USD", "ETH-USD"),
    days=2.0,
    page_size=100,
    overlap_rate=0.2,
    late_rate=0.1,
    bad_row_rate=0.01,
    unparsable_pages=1,
    seed=11,
)


def _bronze_in_batches(source: Path, batches: int) -> list[list[Path]]:
    files = sorted(source.rglob("*.json"))
    # interleave so every batch touches old partitions again (late and re-fetched pages)
    return [files[i::batches] for i in range(batches)]


def _copy(files: list[Path], source: Path, target: Path) -> None:
    for file in files:
        destination = target / file.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, destination)


def _files(root: Path) -> dict[str, float]:
    return {
        p.relative_to(root).as_posix(): p.stat().st_mtime_ns
        for p in root.rglob("*")
        if ((p.is_file() and not p.name.endswith(".json")) or "_state" in p.parts)
        and "locks" not in p.parts  # every run takes and releases its tables' leases
    }


@pytest.fixture(scope="module")
def bronze(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bronze")
    write_trade_pages(root, SPEC)
    return root


@pytest.fixture(scope="module")
def clean(bronze: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("clean")
    _copy(sorted(bronze.rglob("*.json")), bronze, root)
    run(root, full_refresh=True)
    return lake_snapshot(root)


def test_n_incremental_runs_equal_one_full_refresh(
    bronze: Path, clean: dict[str, Any], tmp_path: Path
) -> None:
    for batch in _bronze_in_batches(bronze, 4):
        _copy(batch, bronze, tmp_path)
        run(tmp_path)
    assert lake_snapshot(tmp_path) == clean
    assert {(r["product_id"], r["trade_id"]) for r in clean["silver"]} == expected_silver_keys(
        bronze
    )
    assert len(clean["silver"]) == len(expected_silver_keys(bronze))
    assert {q["rule"] for q in clean["quarantine"]} == {
        "bad_price",
        "bad_size",
        "bad_trade_time",
        "unknown_side",
        "missing_trade_id",
        "unparsable_response",
    }
    run(tmp_path, full_refresh=True)
    assert lake_snapshot(tmp_path) == clean


def test_runs_that_skip_settled_bronze_folders_equal_one_full_refresh(
    bronze: Path, clean: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the clock a minute on: every Bronze folder counts as settled, so each run records marks
    # and the next one reads only the folders the new batch moved
    later = time.time_ns() + 60_000_000_000
    monkeypatch.setattr(folder_marks.time, "time_ns", lambda: later)
    for batch in _bronze_in_batches(bronze, 4):
        _copy(batch, bronze, tmp_path)
        run(tmp_path)
    assert lake_snapshot(tmp_path) == clean
    marks = read_bookmark(LocalStore(tmp_path), "silver.trades").marks
    folders = {p.parent.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")}
    assert set(marks) == {f for f in folders if "dataset=trades/" in f}
    listing = list_marked(LocalStore(tmp_path), SILVER_TRADES.bronze_prefix, ".json", marks)
    assert (listing.keys, listing.skipped) == ([], set(marks))


def test_the_split_dedup_of_large_batches_gives_the_same_lake(
    bronze: Path, clean: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # this Bronze is below the object count from which a batch materialises its repeated keys
    # first: lower that count, so every batch takes that path, and compare with `clean`
    assert len(list(bronze.rglob("*.json"))) < dedup.SPLIT_MIN_OBJECTS
    monkeypatch.setattr(dedup, "SPLIT_MIN_OBJECTS", 1)
    for batch in _bronze_in_batches(bronze, 3):
        _copy(batch, bronze, tmp_path)
        run(tmp_path)
    assert lake_snapshot(tmp_path) == clean


def test_small_batches_give_the_same_lake_as_one_batch(
    bronze: Path, clean: dict[str, Any], tmp_path: Path
) -> None:
    _copy(sorted(bronze.rglob("*.json")), bronze, tmp_path)
    engine = DuckDBEngine(memory_limit="256MB")
    summaries = run_transform(LocalStore(tmp_path), engine, "all", max_batch_objects=7)
    engine.close()
    assert lake_snapshot(tmp_path) == clean
    assert trades(summaries).objects_read == len(list(bronze.rglob("*.json")))


def test_a_run_without_new_bronze_writes_nothing(bronze: Path, tmp_path: Path) -> None:
    _copy(sorted(bronze.rglob("*.json")), bronze, tmp_path)
    run(tmp_path)
    before = _files(tmp_path)
    summaries = run(tmp_path)
    assert [s.changed for s in summaries] == [False] * 5
    assert _files(tmp_path) == before


def test_one_new_page_rewrites_only_the_partitions_it_touches(bronze: Path, tmp_path: Path) -> None:
    files = sorted(bronze.rglob("*.json"))
    _copy(files[:-1], bronze, tmp_path)
    run(tmp_path)
    before = _files(tmp_path)
    _copy(files[-1:], bronze, tmp_path)
    by_table = {s.table: s for s in run(tmp_path)}
    silver, gold = by_table["silver.trades"], by_table["gold.trades_hourly"]
    assert not by_table["silver.prices"].changed
    assert silver.objects_read == 1
    assert 1 <= silver.partitions_rewritten <= 3
    after = _files(tmp_path)
    changed = {k for k in after if before.get(k) != after[k]} | {
        k for k in before if k not in after
    }
    parquet_dirs = {str(Path(k).parent) for k in changed if k.endswith(".parquet")}
    assert len(parquet_dirs) <= silver.partitions_rewritten + gold.partitions_rewritten
    assert gold.partitions_rewritten <= 2
    # Gold's rows in are the rows of the Silver days that changed (its year partitions merge
    # them with their other days' rows), counted independently
    rebuilt = [k for k in after if k.startswith("gold/trades_hourly/") and k in changed]
    days = {d for d in parquet_dirs if d.startswith("silver/trades/")}
    silver_rows = sum(
        duckdb.sql(f"SELECT count(*) FROM read_parquet('{tmp_path}/{d}/*.parquet')").fetchall()[0][
            0
        ]
        for d in days
    )
    assert gold.rows_in == silver_rows > 0
    assert gold.rows_written == sum(
        duckdb.sql(f"SELECT count(*) FROM read_parquet('{tmp_path}/{k}')").fetchall()[0][0]
        for k in rebuilt
    )


class CrashingLake(LocalStore):
    """A lake whose process 'dies' when it is about to write a given state file."""

    def __init__(self, root: Path, crash_on: str) -> None:
        super().__init__(root)
        self.crash_on = crash_on

    def put(self, key: str, data: bytes) -> None:
        if key == self.crash_on:
            raise StorageError("simulated crash")
        super().put(key, data)


class CrashingEngine(DuckDBEngine):
    """An engine that dies while writing the quarantine (after Silver files were staged)."""

    def write_partitioned(
        self, sql: str, root: str, out_dir: str, partition_by: Any, **options: Any
    ) -> int:
        if out_dir.endswith("quarantine"):
            raise StorageError("simulated crash")
        return super().write_partitioned(sql, root, out_dir, partition_by, **options)


@pytest.mark.parametrize(
    "crash_on",
    [bookmark_key("silver.trades"), "_state/journal/silver.trades.json", "engine"],
    ids=["after-partitions-before-bookmark", "before-commit-record", "while-staging"],
)
def test_a_crash_then_a_rerun_converges_to_the_clean_lake(
    bronze: Path, clean: dict[str, Any], tmp_path: Path, crash_on: str
) -> None:
    batches = _bronze_in_batches(bronze, 2)
    _copy(batches[0], bronze, tmp_path)
    run(tmp_path)
    _copy(batches[1], bronze, tmp_path)
    engine: DuckDBEngine = CrashingEngine() if crash_on == "engine" else DuckDBEngine()
    lake = LocalStore(tmp_path) if crash_on == "engine" else CrashingLake(tmp_path, crash_on)
    with pytest.raises(StorageError, match="simulated crash"):
        run_transform(lake, engine, "all")
    engine.close()
    summaries = run(tmp_path)
    assert trades(summaries).recovered == (crash_on == bookmark_key("silver.trades"))
    assert lake_snapshot(tmp_path) == clean
    assert not (tmp_path / "_staging" / "silver.trades").exists()
    assert not list((tmp_path / "_state" / "journal").glob("*.json"))
