"""`_state/`: cursors only move forward, checkpoints are compare-and-swap, run records list."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest

from coinlake.bronze.state import (
    RunRecord,
    WalkProgress,
    advance_trade_cursor,
    clear_progress,
    new_run_id,
    read_progress,
    read_run_records,
    read_trade_cursor,
    reset_trade_cursor,
    save_progress,
    trades_cursor_key,
    write_run_record,
)
from coinlake.errors import ConcurrentUpdateError, StorageError
from coinlake.storage.base import ObjectStore

NOW = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)


def test_no_cursor_before_the_first_landing(lake_store: ObjectStore) -> None:
    assert read_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD") is None


def test_the_cursor_is_stored_in_its_documented_format(lake_store: ObjectStore) -> None:
    advance_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD", 1234, now=NOW, run_id="r1")
    document = json.loads(lake_store.get("_state/cursors/coinbase/trades/product=BTC-USD.json"))
    assert document == {
        "state_version": 1,
        "source": "coinbase",
        "dataset": "trades",
        "product": "BTC-USD",
        "last_trade_id": 1234,
        "updated_at": "2026-11-22T17:00:00.000000Z",
        "run_id": "r1",
    }


def test_each_source_and_dataset_has_its_own_cursor_and_walk(lake_store: ObjectStore) -> None:
    advance_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD", 10, now=NOW)
    advance_trade_cursor(lake_store, "kraken", "trades", "BTC-USD", 99, now=NOW)
    kraken = json.loads(lake_store.get("_state/cursors/kraken/trades/product=BTC-USD.json"))
    assert (kraken["source"], kraken["dataset"], kraken["last_trade_id"]) == (
        "kraken",
        "trades",
        99,
    )
    cursor = read_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD")
    assert cursor is not None
    assert (cursor.source, cursor.last_trade_id) == ("coinbase", 10)
    walk = WalkProgress("kraken", "walk", "BTC-USD", 5, 50, None, NOW, NOW)
    save_progress(lake_store, walk)
    assert lake_store.exists("_state/cursors/kraken/walk/product=BTC-USD.json")
    assert read_progress(lake_store, "coinbase", "walk", "BTC-USD") is None
    assert read_progress(lake_store, "kraken", "walk", "BTC-USD") == walk


def test_the_cursor_never_goes_backwards(lake_store: ObjectStore) -> None:
    advance_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD", 500, now=NOW)
    kept = advance_trade_cursor(
        lake_store, "coinbase", "trades", "BTC-USD", 400, now=NOW + timedelta(1)
    )
    assert kept.last_trade_id == 500
    assert kept.updated_at == NOW
    moved = advance_trade_cursor(
        lake_store, "coinbase", "trades", "BTC-USD", 501, now=NOW + timedelta(2)
    )
    cursor = read_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD")
    assert cursor is not None
    assert cursor == moved
    assert cursor.last_trade_id == 501
    assert read_trade_cursor(lake_store, "coinbase", "trades", "ETH-USD") is None


def test_concurrent_advances_converge_on_the_largest_id(lake_store: ObjectStore) -> None:
    ids = [300, 900, 100, 700, 800, 200]
    barrier = threading.Barrier(len(ids))

    def advance(last: int) -> int:
        barrier.wait()
        return advance_trade_cursor(
            lake_store, "coinbase", "trades", "BTC-USD", last, now=NOW
        ).last_trade_id

    with ThreadPoolExecutor(len(ids)) as pool:
        results = list(pool.map(advance, ids))
    assert all(result >= last for result, last in zip(results, ids, strict=True))
    cursor = read_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD")
    assert cursor is not None
    assert cursor.last_trade_id == 900


def test_a_reset_may_move_the_cursor_back_or_remove_it(lake_store: ObjectStore) -> None:
    advance_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD", 500, now=NOW)
    reset = reset_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD", 10, now=NOW)
    assert reset is not None
    assert read_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD") == reset
    assert reset_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD", None, now=NOW) is None
    assert read_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD") is None


def test_a_malformed_cursor_is_one_clear_error(lake_store: ObjectStore) -> None:
    lake_store.put(trades_cursor_key("coinbase", "trades", "BTC-USD"), b"{not json")
    with pytest.raises(StorageError, match=r"product=BTC-USD.json is not valid JSON"):
        read_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD")
    lake_store.put(trades_cursor_key("coinbase", "trades", "BTC-USD"), b'{"last_trade_id": "12"}')
    with pytest.raises(StorageError, match="must be an integer"):
        read_trade_cursor(lake_store, "coinbase", "trades", "BTC-USD")


def _progress() -> WalkProgress:
    return WalkProgress(
        source="coinbase",
        kind="backfill",
        product="BTC-USD",
        stop_at_id=99,
        next_after=None,
        top_id=None,
        started_at=NOW,
        updated_at=NOW,
        run_id="r1",
        params={"from": "2026-01-01T00:00:00Z"},
    )


def test_a_backfill_position_saves_resumes_and_clears(lake_store: ObjectStore) -> None:
    saved = save_progress(lake_store, _progress())
    step = save_progress(lake_store, WalkProgress(**{**_fields(saved), "next_after": 5000}))
    resumed = read_progress(lake_store, "coinbase", "backfill", "BTC-USD")
    assert resumed == step
    assert resumed is not None
    assert resumed.next_after == 5000
    assert resumed.params == {"from": "2026-01-01T00:00:00Z"}
    assert read_progress(lake_store, "coinbase", "walk", "BTC-USD") is None
    clear_progress(lake_store, "coinbase", "backfill", "BTC-USD")
    assert read_progress(lake_store, "coinbase", "backfill", "BTC-USD") is None


def test_a_stale_checkpoint_save_loses(lake_store: ObjectStore) -> None:
    first = save_progress(lake_store, _progress())
    save_progress(lake_store, WalkProgress(**{**_fields(first), "next_after": 7000}))
    with pytest.raises(ConcurrentUpdateError):
        save_progress(lake_store, WalkProgress(**{**_fields(first), "next_after": 6000}))
    with pytest.raises(ConcurrentUpdateError):
        save_progress(lake_store, _progress())  # a second run starting the same backfill
    resumed = read_progress(lake_store, "coinbase", "backfill", "BTC-USD")
    assert resumed is not None
    assert resumed.next_after == 7000


def _fields(progress: WalkProgress) -> dict[str, object]:
    return {name: getattr(progress, name) for name in WalkProgress.__dataclass_fields__}


def test_run_records_are_written_and_listed_per_start_date(lake_store: ObjectStore) -> None:
    older = RunRecord(new_run_id(NOW, "aaaa"), "ingest", NOW)
    newer = RunRecord(new_run_id(NOW + timedelta(minutes=1), "bbbb"), "ingest", NOW)
    key = write_run_record(lake_store, newer)
    write_run_record(lake_store, older)
    assert key == "_state/runs/2026-11-22/20261122T170100.000000Z-bbbb.json"
    finished = RunRecord(
        older.run_id,
        "ingest",
        NOW,
        status="partial",
        finished_at=NOW + timedelta(seconds=30),
        summary={"BTC-USD": {"objects_written": 3, "first_id": 1, "last_id": 3000}},
    )
    write_run_record(lake_store, finished)
    assert list(read_run_records(lake_store, date(2026, 11, 22))) == [finished, newer]
    assert list(read_run_records(lake_store, date(2026, 11, 23))) == []
