"""One behaviour suite for every ObjectStore: a local folder and S3 (moto), via `lake_store`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from coinlake.errors import ConcurrentUpdateError, StorageError
from coinlake.storage.base import InvalidKeyError, ObjectStore, list_files, read_json, write_json

KEY = "bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-11-22/a.json"


def _race(workers: int, job: Callable[[int], object]) -> list[object]:
    """Run `job(i)` on `workers` threads released at the same moment."""
    barrier = threading.Barrier(workers)

    def run(index: int) -> object:
        barrier.wait()
        try:
            return job(index)
        except ConcurrentUpdateError as exc:
            return exc

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, range(workers)))


def test_the_store_satisfies_the_protocol(lake_store: ObjectStore) -> None:
    assert isinstance(lake_store, ObjectStore)


def test_create_only_writes_once_and_keeps_the_original(lake_store: ObjectStore) -> None:
    assert lake_store.put_if_absent(KEY, b"first") is True
    assert lake_store.put_if_absent(KEY, b"second") is False
    assert lake_store.get(KEY) == b"first"
    assert lake_store.exists(KEY)


def test_concurrent_create_only_has_exactly_one_winner(lake_store: ObjectStore) -> None:
    results = _race(8, lambda i: lake_store.put_if_absent(KEY, f"writer {i}".encode()))
    winners = [i for i, won in enumerate(results) if won is True]
    assert len(winners) == 1
    assert lake_store.get(KEY) == f"writer {winners[0]}".encode()


def test_put_overwrites(lake_store: ObjectStore) -> None:
    lake_store.put(KEY, b"old")
    lake_store.put(KEY, b"new")
    assert lake_store.get(KEY) == b"new"


def test_compare_and_swap_moves_the_version_forward(lake_store: ObjectStore) -> None:
    version = lake_store.put_if_match("_state/a.json", b"1", None)
    found = lake_store.get_with_version("_state/a.json")
    assert found == (b"1", version)
    newer = lake_store.put_if_match("_state/a.json", b"2", version)
    assert newer != version
    assert lake_store.get_with_version("_state/a.json") == (b"2", newer)


def test_compare_and_swap_rejects_a_stale_version(lake_store: ObjectStore) -> None:
    first = lake_store.put_if_match("_state/a.json", b"1", None)
    lake_store.put_if_match("_state/a.json", b"2", first)
    with pytest.raises(ConcurrentUpdateError, match="another writer"):
        lake_store.put_if_match("_state/a.json", b"3", first)
    with pytest.raises(ConcurrentUpdateError, match="another writer"):
        lake_store.put_if_match("_state/a.json", b"3", None)
    assert lake_store.get("_state/a.json") == b"2"


def test_compare_and_swap_on_a_deleted_object_is_a_lost_race(lake_store: ObjectStore) -> None:
    version = lake_store.put_if_match("_state/a.json", b"1", None)
    lake_store.delete("_state/a.json")
    with pytest.raises(ConcurrentUpdateError):
        lake_store.put_if_match("_state/a.json", b"2", version)


def test_a_compare_and_swap_race_has_one_winner_and_the_rest_fail(
    lake_store: ObjectStore,
) -> None:
    # Versions are content hashes (local) or MD5 ETags (S3): every writer writes new content.
    base = lake_store.put_if_match("_state/c.json", b"base", None)
    results = _race(6, lambda i: lake_store.put_if_match("_state/c.json", b"%d" % i, base))
    winners = [i for i, result in enumerate(results) if isinstance(result, str)]
    losers = [result for result in results if isinstance(result, ConcurrentUpdateError)]
    assert len(winners) == 1
    assert len(losers) == 5
    assert lake_store.get("_state/c.json") == b"%d" % winners[0]


def test_listing_is_sorted_and_a_string_prefix_match(lake_store: ObjectStore) -> None:
    keys = [
        "bronze/b/2.json",
        "bronze/a/000000000010-000000000020.json",
        "bronze/a/000000000002-000000000009.json",
        "bronze/ab.json",
        "silver/x.parquet",
    ]
    for key in keys:
        lake_store.put(key, b"x")
    assert list(lake_store.list("bronze/")) == sorted(keys[:4])
    assert list(lake_store.list("bronze/a")) == sorted(keys[1:4])
    assert list(lake_store.list("bronze/a/")) == sorted(keys[1:3])
    assert list(lake_store.list()) == sorted(keys)
    assert list(lake_store.list("gold/")) == []


def test_get_of_a_missing_key(lake_store: ObjectStore) -> None:
    assert lake_store.get_with_version("nope.json") is None
    assert not lake_store.exists("nope.json")
    with pytest.raises(StorageError, match="does not exist"):
        lake_store.get("nope.json")


def test_delete_removes_and_tolerates_missing_keys(lake_store: ObjectStore) -> None:
    lake_store.put(KEY, b"x")
    lake_store.delete(KEY)
    lake_store.delete(KEY)
    assert not lake_store.exists(KEY)
    assert list(lake_store.list("bronze/")) == []


@pytest.mark.parametrize("key", ["", "/abs.json", "a//b.json", "a/../b.json", "./a.json"])
def test_keys_must_be_lake_relative(lake_store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidKeyError):
        lake_store.put(key, b"x")


def test_uri_names_the_object(lake_store: ObjectStore) -> None:
    uri = lake_store.uri(KEY)
    assert uri.endswith("/" + KEY)
    assert uri.startswith(("s3://", "/"))


def test_the_store_does_what_the_transforms_need(lake_store: ObjectStore) -> None:
    for key in (
        "silver/t/date=2026-11-20/part-1.parquet",
        "silver/t/date=2026-11-21/part-2.parquet",
        "silver/t/date=2026-11-21/_SUCCESS",
        "silver/t/_tmp/part-3.parquet",
        "silver/tx/part-4.parquet",
        "_staging/silver.t/run/table/date=2026-11-22/part-5.parquet",
    ):
        lake_store.put(key, b"x")
    assert list_files(lake_store, "silver/t", ".parquet") == [
        "silver/t/date=2026-11-20/part-1.parquet",
        "silver/t/date=2026-11-21/part-2.parquet",
    ]
    assert list_files(lake_store, "_staging/silver.t/run/table") == [
        "_staging/silver.t/run/table/date=2026-11-22/part-5.parquet"
    ]
    assert read_json(lake_store, "_state/x.json") is None
    write_json(lake_store, "_state/x.json", {"b": 1, "a": [1, 2]})
    assert read_json(lake_store, "_state/x.json") == {"a": [1, 2], "b": 1}
    lake_store.move(
        "_staging/silver.t/run/table/date=2026-11-22/part-5.parquet",
        "silver/t/date=2026-11-22/part-5.parquet",
    )
    assert lake_store.get("silver/t/date=2026-11-22/part-5.parquet") == b"x"
    assert not lake_store.exists("_staging/silver.t/run/table/date=2026-11-22/part-5.parquet")
    lake_store.delete("silver/t/date=2026-11-20/part-1.parquet")
    lake_store.delete("silver/t/date=2026-11-20/part-1.parquet")
    lake_store.delete_folder("silver/t")
    assert list_files(lake_store, "silver") == ["silver/tx/part-4.parquet"]
    lake_store.remove_empty_folders("silver")
    assert list(lake_store.list("silver/")) == ["silver/tx/part-4.parquet"]


def test_a_state_object_that_is_not_json_is_a_storage_error(lake_store: ObjectStore) -> None:
    lake_store.put("_state/bad.json", b"{not json")
    with pytest.raises(StorageError, match="not valid JSON"):
        read_json(lake_store, "_state/bad.json")
