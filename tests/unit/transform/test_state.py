"""Bookmarks and commit journals: format, diffing, roll-forward."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinlake.errors import StorageError
from coinlake.storage.base import list_files, read_json, write_json
from coinlake.storage.folder_marks import Listing
from coinlake.storage.layout import bookmark_key, journal_key
from coinlake.storage.local import LocalStore
from coinlake.storage.packed_names import pack_names, recorded_names, unpack_names
from coinlake.transform.state import (
    MAX_CHANGES,
    Bookmark,
    Journal,
    apply_journal,
    read_bookmark,
    recover,
    write_journal,
)

PREFIX = "bronze/source=coinbase/dataset=trades/product=BTC-USD"
KEY_A = f"{PREFIX}/date=2026-11-22/000000000002-000000000001.json"
KEY_B = f"{PREFIX}/date=2026-11-23/000000000004-000000000003.json"


def test_a_missing_bookmark_is_an_empty_one(tmp_path: Path) -> None:
    bookmark = read_bookmark(LocalStore(tmp_path), "silver.trades")
    assert (bookmark.version, bookmark.consumed_keys(), bookmark.changes) == (0, set(), [])


def test_a_bookmark_round_trips_grouped_by_folder(tmp_path: Path) -> None:
    lake = LocalStore(tmp_path)
    first = Bookmark("silver.trades").advanced(partitions=["p=1"], full=False, new_keys=[KEY_A])
    second = first.advanced(partitions=["p=2"], full=False, new_keys=[KEY_B])
    write_json(lake, bookmark_key("silver.trades"), second.to_json())
    again = read_bookmark(lake, "silver.trades")
    assert again.consumed_keys() == {KEY_A, KEY_B}
    assert again.version == 2
    document = read_json(lake, bookmark_key("silver.trades"))
    assert sorted(document["consumed"]) == [KEY_A.rpartition("/")[0], KEY_B.rpartition("/")[0]]


def test_a_full_refresh_replaces_what_was_consumed() -> None:
    first = Bookmark("t").advanced(partitions=[], full=False, new_keys=[KEY_A, KEY_B])
    assert first.advanced(partitions=[], full=True, new_keys=[KEY_B]).consumed_keys() == {KEY_B}


def test_changes_since_lists_partitions_or_asks_for_a_full_rebuild() -> None:
    bookmark = Bookmark("t")
    for part in ("a=1", "a=2", "a=3"):
        bookmark = bookmark.advanced(partitions=[part], full=False)
    assert bookmark.changes_since(3) == (False, set())
    assert bookmark.changes_since(1) == (False, {"a=2", "a=3"})
    assert bookmark.advanced(partitions=[], full=True).changes_since(2) == (True, set())


def test_a_reader_too_far_behind_the_trimmed_log_rebuilds_fully() -> None:
    bookmark = Bookmark("t")
    for n in range(MAX_CHANGES + 5):
        bookmark = bookmark.advanced(partitions=[f"a={n}"], full=False)
    assert len(bookmark.to_json()["changes"]) == MAX_CHANGES
    assert bookmark.changes_since(2)[0] is True
    assert bookmark.changes_since(MAX_CHANGES)[0] is False


def test_a_damaged_bookmark_is_a_clear_storage_error(tmp_path: Path) -> None:
    lake = LocalStore(tmp_path)
    write_json(lake, bookmark_key("silver.trades"), {"format": 1, "table": "silver.trades"})
    with pytest.raises(StorageError, match="full-refresh"):
        read_bookmark(lake, "silver.trades")
    (tmp_path / bookmark_key("silver.trades")).write_text("{not json")
    with pytest.raises(StorageError, match="not valid JSON"):
        read_bookmark(lake, "silver.trades")


def test_a_journal_is_rolled_forward_even_when_half_applied(tmp_path: Path) -> None:
    lake = LocalStore(tmp_path)
    for key in ("_staging/t/run/p=1/new.parquet", "_staging/t/run/p=2/new.parquet"):
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_text("new")
    (tmp_path / "t/p=1/old.parquet").parent.mkdir(parents=True)
    (tmp_path / "t/p=1/old.parquet").write_text("old")
    journal = Journal(
        "t",
        moves=[
            ("_staging/t/run/p=1/new.parquet", "t/p=1/new.parquet"),
            ("_staging/t/run/p=2/new.parquet", "t/p=2/new.parquet"),
        ],
        deletes=["t/p=1/old.parquet"],
        bookmark=Bookmark("t").advanced(partitions=["p=1", "p=2"], full=False).to_json(),
        staging="_staging/t",
    )
    write_journal(lake, journal)
    lake.move("_staging/t/run/p=1/new.parquet", "t/p=1/new.parquet")  # the crash came after this
    assert recover(lake, "t") is True
    assert list_files(lake, "t") == ["t/p=1/new.parquet", "t/p=2/new.parquet"]
    assert read_bookmark(lake, "t").version == 1
    assert not lake.exists(journal_key("t"))
    assert not (tmp_path / "_staging/t").exists()
    assert recover(lake, "t") is False
    apply_journal(lake, journal)  # applying twice is harmless
    assert list_files(lake, "t") == ["t/p=1/new.parquet", "t/p=2/new.parquet"]


def test_listing_skips_hidden_and_temporary_files(tmp_path: Path) -> None:
    lake = LocalStore(tmp_path)
    for name in ("a/x.json", "a/.x.json.tmp", "a/_tmp/y.json", "a/b/z.json", "a/b/w.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert list_files(lake, "a", ".json") == ["a/b/z.json", "a/x.json"]
    assert list_files(lake, "missing") == []


def test_batches_take_whole_products_in_key_order() -> None:
    from coinlake.transform.batches import plan_batches

    def keys(product: str, days: int, per_day: int = 1) -> list[str]:
        folder = PREFIX.replace("BTC-USD", product)
        return [
            f"{folder}/date=2026-11-{day:02d}/{n:03d}.json"
            for day in range(1, days + 1)
            for n in range(per_day)
        ]

    ada, btc, eth = keys("ADA-USD", 3), keys("BTC-USD", 2), keys("ETH-USD", 2)
    # products of 3, 2, 2 objects: the first two fill a batch of 5, the third starts the next
    assert plan_batches(eth + btc + ada, 5) == [ada + btc, eth]
    assert plan_batches(eth + btc + ada, 100) == [ada + btc + eth]
    # a product larger than a batch is cut in equal slices; the next product may join the last
    big = keys("ADA-USD", 5)
    assert plan_batches(big + btc[:1], 4) == [big[:3], big[3:] + btc[:1]]
    many = keys("SOL-USD", 4, per_day=3)
    assert [len(b) for b in plan_batches(many, 5)] == [4, 4, 4]
    assert [k for b in plan_batches(many, 5) for k in b] == many
    assert plan_batches([], 4) == []


def test_a_folder_mark_is_kept_only_once_all_its_listed_objects_are_consumed(
    tmp_path: Path,
) -> None:
    folder_a, folder_b = KEY_A.rpartition("/")[0], KEY_B.rpartition("/")[0]
    listing = Listing(keys=[KEY_A, KEY_B], marks={folder_a: "1:2:3", folder_b: "4:5:6"})
    first = Bookmark("t").advanced(partitions=[], full=False, new_keys=[KEY_A])
    assert first.with_marks(listing).marks == {folder_a: "1:2:3"}
    both = first.advanced(partitions=[], full=False, new_keys=[KEY_B]).with_marks(listing)
    assert both.marks == {folder_a: "1:2:3", folder_b: "4:5:6"}
    lake = LocalStore(tmp_path)
    write_json(lake, bookmark_key("t"), both.to_json())
    assert read_bookmark(lake, "t").marks == both.marks
    # a folder read again without a settled mark loses the old one
    unsettled = Listing(keys=[KEY_A], marks={})
    assert both.with_marks(unsettled).marks == {folder_b: "4:5:6"}
    assert both.advanced(partitions=[], full=True).marks == {}


def test_a_format_1_bookmark_with_lists_of_names_is_still_read(tmp_path: Path) -> None:
    lake = LocalStore(tmp_path)
    folder = KEY_A.rpartition("/")[0]
    names = [KEY_A.rpartition("/")[2], "000000000009-000000000005.json"]
    document = {"format": 1, "table": "t", "version": 3, "consumed": {folder: names[::-1]}}
    write_json(lake, bookmark_key("t"), document)
    bookmark = read_bookmark(lake, "t")
    assert bookmark.consumed_keys() == {f"{folder}/{name}" for name in names}
    assert bookmark.unconsumed([KEY_A, KEY_B]) == [KEY_B]
    # written back in format 2: the sorted names packed into one string per folder
    written = bookmark.to_json()
    assert written["format"] == 2
    assert unpack_names(written["consumed"][folder]) == sorted(names)


def test_packed_names_round_trip_and_damage_is_one_clear_error(tmp_path: Path) -> None:
    names = [f"{n:012d}-{n + 999:012d}.json" for n in range(0, 600_000, 1000)]
    packed = pack_names(reversed(names))
    assert unpack_names(packed) == names
    assert len(packed) < len("\n".join(names)) / 3
    assert (pack_names([]), unpack_names("")) == ("", [])
    # reports read either format, and read damage as no names instead of failing
    assert recorded_names(packed) == names
    assert recorded_names(["b.json", 7, "a.json"]) == ["b.json", "a.json"]
    assert recorded_names("not packed!") == recorded_names(None) == []
    lake = LocalStore(tmp_path)
    folder = KEY_A.rpartition("/")[0]
    document = {"format": 2, "table": "t", "version": 1, "consumed": {folder: "not packed!"}}
    write_json(lake, bookmark_key("t"), document)
    with pytest.raises(StorageError, match=r"damaged.*--full-refresh"):
        read_bookmark(lake, "t").unconsumed([KEY_A])
