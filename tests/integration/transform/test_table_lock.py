"""Two transforms of one table at once: the second stops before touching anything, the first
commits a whole lake; a lease taken over mid-run stops the commit; the CLI's one line."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from coinlake.bronze.lease import DEFAULT_TTL, LeaseHeldError, LeaseLostError, read_lease
from coinlake.devtools.bronze_pages import PageSpec, write_trade_pages
from coinlake.engines.duckdb import DuckDBEngine
from coinlake.storage.base import ObjectStore
from coinlake.storage.layout import staging_folder
from coinlake.storage.local import LocalStore
from coinlake.tables.silver.trades import TABLE as SILVER_TRADES
from coinlake.transform.runner import TableSummary, run_silver
from coinlake.transform.state import bookmark_key
from coinlake.transform.table_lock import hold_table, table_lease_name
from tests.integration.transform.helpers import expected_silver_keys, lake_snapshot

pytestmark = pytest.mark.integration

SPEC = PageSpec(trades=600, products=("BTC-USD",), days=1.0, page_size=100, seed=5)


class MidRunEngine(DuckDBEngine):
    """Calls `during` once, while the run stages its first Silver files (after `_start`
    cleaned the staging tree, before the commit)."""

    def __init__(self, during: Any) -> None:
        super().__init__(threads=1, memory_limit="256MB")
        self.during = during

    def write_partitioned(
        self, sql: str, root: str, out_dir: str, partition_by: Any, **options: Any
    ) -> int:
        written = super().write_partitioned(sql, root, out_dir, partition_by, **options)
        if self.during is not None:
            during, self.during = self.during, None
            during()
        return written


def _silver_keys(root: Path) -> list[tuple[str, int]]:
    return sorted((r["product_id"], r["trade_id"]) for r in lake_snapshot(root)["silver"])


class PausedLake(LocalStore):
    """A run that stops for good right after its start (cleaning the table's staging tree), as a
    slow second process would be paused there while the first one commits. (Its check for new
    Bronze before the lease reads only, so the pause comes after it.)"""

    def delete_folder(self, prefix: str) -> None:
        super().delete_folder(prefix)
        if prefix == staging_folder("silver.trades"):
            raise Paused


class Paused(Exception):
    """The second run stopped where `PausedLake` holds it."""


def test_a_second_run_of_a_table_stops_and_the_first_loses_nothing(tmp_path: Path) -> None:
    source, lake = tmp_path / "pages", tmp_path / "lake"
    write_trade_pages(source, SPEC)
    pages = sorted(source.rglob("*.json"))
    for number, page in enumerate(pages):  # a lake made from half the pages, then the rest
        target = lake / page.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
        if number == len(pages) // 2:
            _silver(lake)
    second: list[BaseException] = []

    def second_run() -> None:
        # a second transform of the same table, starting while the first one stages
        try:
            _silver(lake, PausedLake(lake))
        except (LeaseHeldError, Paused) as exc:
            second.append(exc)

    engine = MidRunEngine(second_run)
    run_silver(SILVER_TRADES, LocalStore(lake), engine)
    engine.close()
    _silver(lake)  # a re-run repairs whatever it can
    expected = sorted(expected_silver_keys(lake))
    assert len(expected) > 0 and _silver_keys(lake) == expected
    assert len(second) == 1 and isinstance(second[0], LeaseHeldError)
    message = str(second[0])
    assert message.startswith("transform/silver.trades is locked by run ")
    assert f"process {os.getpid()} on " in message
    # the lease is free again: a new run takes it and finds nothing to do
    assert not _silver(lake).changed


def _silver(root: Path, lake: ObjectStore | None = None) -> TableSummary:
    engine = DuckDBEngine(threads=1, memory_limit="256MB")
    try:
        return run_silver(SILVER_TRADES, lake or LocalStore(root), engine)
    finally:
        engine.close()


def test_a_run_whose_lease_was_taken_over_does_not_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_trade_pages(tmp_path, SPEC)
    store = LocalStore(tmp_path)
    name = table_lease_name("silver.trades")
    key = f"_state/locks/{name}.json"

    def take_over() -> None:
        # this run pauses past its TTL (the clock moves on) and another run takes the table
        later = datetime.now(UTC) + DEFAULT_TTL + timedelta(seconds=1)
        monkeypatch.setattr("coinlake.transform.table_lock._now", lambda: later)
        doc = json.loads((tmp_path / key).read_text())
        doc["owner"] = "another-run"
        store.put(key, json.dumps(doc).encode())

    engine = MidRunEngine(take_over)
    with pytest.raises(LeaseLostError, match=r"lost the lock on transform/silver\.trades"):
        run_silver(SILVER_TRADES, LocalStore(tmp_path), engine)
    engine.close()
    assert not (tmp_path / bookmark_key("silver.trades")).exists()
    assert not (tmp_path / "silver").exists()
    held = read_lease(store, name)
    assert held is not None and held.owner == "another-run"


def test_the_cli_names_the_holder_and_exits_1(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from coinlake.cli.main import app

    lake = LocalStore(tmp_path)
    with hold_table(lake, "silver.trades") as lock:
        result = CliRunner().invoke(app, ["--lake", str(tmp_path), "transform", "silver"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, LeaseHeldError)
    assert lock.lease.owner in str(result.exception)
    assert not (tmp_path / "_staging").exists()


def test_an_s3_lake_keeps_the_lease_in_its_bucket(s3_lake: Any) -> None:
    from coinlake.app.lake import open_lake

    lake = open_lake(s3_lake.settings())
    with hold_table(lake, "gold.trades_hourly") as lock:
        other = open_lake(s3_lake.settings())
        with (
            pytest.raises(LeaseHeldError, match=lock.lease.owner),
            hold_table(other, "gold.trades_hourly"),
        ):
            pytest.fail("a second holder got the lease")
        lock.before_commit()
    stored = read_lease(lake, table_lease_name("gold.trades_hourly"))
    assert stored is not None and stored.owner == lock.lease.owner
    with hold_table(lake, "gold.trades_hourly") as again:  # released: free at once
        assert again.lease.owner != lock.lease.owner
