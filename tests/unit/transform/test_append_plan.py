"""Which partitions a batch compacts, and how the recorded id bounds grow."""

from __future__ import annotations

from pathlib import Path

from coinlake.storage.base import write_json
from coinlake.storage.layout import bookmark_key
from coinlake.storage.local import LocalStore
from coinlake.tables.silver.trades import TABLE
from coinlake.transform.append import MAX_PARTS, Span, due_for_compaction, group_of, widened
from coinlake.transform.state import Bookmark, read_bookmark

BTC_22 = "product_id=BTC-USD/date=2026-11-22"
BTC_23 = "product_id=BTC-USD/date=2026-11-23"
ETH_22 = "product_id=ETH-USD/date=2026-11-22"


def _span(partition: str, low: int, high: int) -> Span:
    return Span(partition, group_of(TABLE, partition), low, high, "t0", "t1")


def _bookmark(parts: dict[str, int]) -> Bookmark:
    files = {
        f"silver/trades/{partition}/part-{n}.parquet": (1, "x")
        for partition, count in parts.items()
        for n in range(count)
    }
    return Bookmark(table="silver.trades", files=files)


def test_the_group_of_a_trades_partition_is_its_product() -> None:
    assert group_of(TABLE, BTC_22) == "product_id=BTC-USD"


def test_a_finished_day_of_the_written_product_is_compacted_the_written_one_not() -> None:
    bookmark = _bookmark({BTC_22: 3, BTC_23: 2, ETH_22: 4})
    assert due_for_compaction(TABLE, bookmark, [_span(BTC_23, 10, 20)]) == [BTC_22]


def test_a_partition_past_the_part_limit_is_compacted_while_its_day_goes_on() -> None:
    bookmark = _bookmark({BTC_23: MAX_PARTS + 1, ETH_22: MAX_PARTS})
    assert due_for_compaction(TABLE, bookmark, [_span(BTC_23, 10, 20)]) == [BTC_23]


def test_nothing_is_compacted_when_nothing_was_written() -> None:
    assert due_for_compaction(TABLE, _bookmark({BTC_22: MAX_PARTS + 5}), []) == []


def test_bounds_grow_to_hold_the_batch_and_the_bounds_read() -> None:
    ranges = {BTC_22: (100, 200)}
    grown = widened(ranges, [_span(BTC_22, 201, 250), _span(BTC_23, 300, 310)], [(ETH_22, 5, 9)])
    assert grown == {BTC_22: (100, 250), BTC_23: (300, 310), ETH_22: (5, 9)}
    assert ranges == {BTC_22: (100, 200)}  # the bookmark's own copy is left alone


def test_bounds_and_spans_survive_the_bookmark_document(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    bookmark = Bookmark(table="silver.trades").advanced(
        partitions=[BTC_22], full=False, spans={BTC_22: ("t0", "t1")}
    )
    bookmark.ranges = {BTC_22: (1, 9)}
    write_json(store, bookmark_key("silver.trades"), bookmark.to_json())
    again = read_bookmark(store, "silver.trades")
    assert again.ranges == {BTC_22: (1, 9)}
    assert again.changes[-1]["spans"] == {BTC_22: ["t0", "t1"]}
    assert again.advanced(partitions=[], full=True).ranges == {}  # a full refresh starts over
