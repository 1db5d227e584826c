"""LocalStore specifics: atomic writes, hidden temp and lock files, paths."""

from __future__ import annotations

import errno
import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from coinlake.errors import ConcurrentUpdateError, ConfigError, StorageError
from coinlake.storage.local import LocalStore, content_version, write_error


def test_readers_never_see_a_partial_object(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    big_a, big_b = b"a" * 2_000_000, b"b" * 2_000_000
    store.put("x.bin", big_a)
    seen: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            data = (tmp_path / "x.bin").read_bytes()
            seen.add(len(data))
            assert data in (big_a, big_b)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(20):
            store.put("x.bin", big_b if i % 2 else big_a)
    finally:
        stop.set()
        reader.join()
    assert seen == {2_000_000}


def test_temp_and_lock_files_are_hidden_and_cleaned(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put_if_absent("bronze/a.json", b"1")
    store.put_if_absent("bronze/a.json", b"2")
    version = store.put_if_match("_state/s.json", b"1", None)
    store.put_if_match("_state/s.json", b"2", version)
    names = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert names == [".s.json.lock", "a.json", "s.json"]
    assert list(store.list()) == ["_state/s.json", "bronze/a.json"]


def test_the_version_is_the_content_hash(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    assert store.put_if_match("s.json", b"abc", None) == content_version(b"abc")
    assert store.get_with_version("s.json") == (b"abc", content_version(b"abc"))


def test_missing_parent_folders_are_created_and_paths_are_absolute(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "deep" / "lake")
    store.put("a/b/c/d.json", b"x")
    assert store.local_path("a/b/c/d.json") == (tmp_path / "deep/lake/a/b/c/d.json").resolve()
    assert store.uri("a/b/c/d.json") == str((tmp_path / "deep/lake/a/b/c/d.json").resolve())


def test_a_file_where_the_lake_should_be_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "lake").write_text("not a folder")
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        LocalStore(tmp_path / "lake")


def test_a_write_under_a_file_is_a_storage_error(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put("a", b"file")
    with pytest.raises(StorageError, match="cannot create folder"):
        store.put("a/b.json", b"x")


def _create(root: str, index: int) -> bool:
    return LocalStore(root).put_if_absent("bronze/page.json", b"writer %d" % index)


def _increment(root: str, times: int) -> int:
    """Read-modify-write a counter with compare-and-swap, retrying lost races."""
    store, lost = LocalStore(root), 0
    done = 0
    while done < times:
        found = store.get_with_version("_state/counter.json")
        value, version = (int(found[0]), found[1]) if found else (0, None)
        try:
            store.put_if_match("_state/counter.json", b"%d" % (value + 1), version)
        except ConcurrentUpdateError:
            lost += 1
            continue
        done += 1
    return lost


def test_processes_racing_on_one_key_have_one_winner_and_lose_no_update(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(4, mp_context=context) as pool:
        created = list(pool.map(_create, [str(tmp_path)] * 8, range(8)))
        list(pool.map(_increment, [str(tmp_path)] * 4, [50] * 4))
    assert created.count(True) == 1
    assert LocalStore(tmp_path).get("bronze/page.json") == b"writer %d" % created.index(True)
    assert LocalStore(tmp_path).get("_state/counter.json") == b"200"


@pytest.mark.parametrize(
    ("code", "kind", "hint"),
    [
        (errno.EROFS, ConfigError, "file system: the lake must be on a writable file system$"),
        (errno.EACCES, ConfigError, "writable by this user"),
        (errno.ENOSPC, StorageError, "No space left on device$"),
    ],
)
def test_a_write_refused_by_the_lakes_place_is_a_config_error(
    code: int, kind: type[Exception], hint: str
) -> None:
    error = write_error("cannot write", Path("/lake/a.json"), OSError(code, os.strerror(code)))
    assert type(error) is kind
    assert str(error).startswith("cannot write /lake/a.json: ")
    assert re.search(hint, str(error))
