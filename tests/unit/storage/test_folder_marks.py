"""A marked listing finds exactly what a full listing finds, without reading settled folders."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from coinlake.storage import folder_marks
from coinlake.storage.base import list_files
from coinlake.storage.folder_marks import list_marked
from coinlake.storage.local import LocalStore

DATASET = "bronze/source=coinbase/dataset=trades"
DAY_1 = f"{DATASET}/product=BTC-USD/date=2026-11-01"
DAY_2 = f"{DATASET}/product=BTC-USD/date=2026-11-02"
ETH = f"{DATASET}/product=ETH-USD"
"""Holds only a hidden folder, whose keys are never listed: it counts as a folder of files."""


def _lake(tmp_path: Path) -> LocalStore:
    store = LocalStore(tmp_path)
    for key in (
        f"{DAY_1}/000000000001-000000000010.json",
        f"{DAY_1}/000000000011-000000000020.json",
        f"{DAY_2}/000000000021-000000000030.json",
        f"{DAY_2}/.000000000031-000000000040.json.tmp",  # a write in progress
        f"{DAY_2}/notes.txt",
        f"{ETH}/_markers/000000000001-000000000002.json",
    ):
        store.put(key, b"[]")
    return store


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock a minute on: every folder written so far is settled."""
    now = time.time_ns() + 60_000_000_000
    monkeypatch.setattr(folder_marks.time, "time_ns", lambda: now)


def test_with_no_marks_it_lists_what_list_files_lists(tmp_path: Path) -> None:
    store = _lake(tmp_path)
    listing = list_marked(store, DATASET, ".json", {})
    assert listing.keys == list_files(store, DATASET, ".json")
    assert len(listing.keys) == 3
    assert listing.skipped == set()


def test_a_folder_changed_just_now_gets_no_mark(tmp_path: Path) -> None:
    store = _lake(tmp_path)
    assert list_marked(store, DATASET, ".json", {}).marks == {}


@pytest.mark.usefixtures("later")
def test_only_settled_folders_without_subfolders_get_marks(tmp_path: Path) -> None:
    store = _lake(tmp_path)
    marks = list_marked(store, DATASET, ".json", {}).marks
    assert sorted(marks) == [DAY_1, DAY_2, ETH]


@pytest.mark.usefixtures("later")
def test_a_folder_whose_mark_holds_is_not_read(tmp_path: Path) -> None:
    store = _lake(tmp_path)
    marks = list_marked(store, DATASET, ".json", {}).marks
    again = list_marked(store, DATASET, ".json", marks)
    assert again.skipped == {DAY_1, DAY_2, ETH}
    assert again.keys == []


@pytest.mark.usefixtures("later")
def test_a_new_object_moves_its_folder_mark(tmp_path: Path) -> None:
    store = _lake(tmp_path)
    marks = list_marked(store, DATASET, ".json", {}).marks
    new_key = f"{DAY_1}/000000000041-000000000050.json"
    store.put(new_key, b"[]")
    again = list_marked(store, DATASET, ".json", marks)
    assert again.skipped == {DAY_2, ETH}
    assert new_key in again.keys
    assert again.marks[DAY_1] != marks[DAY_1]


@pytest.mark.usefixtures("later")
def test_a_deleted_object_moves_its_folder_mark(tmp_path: Path) -> None:
    store = _lake(tmp_path)
    marks = list_marked(store, DATASET, ".json", {}).marks
    store.delete(f"{DAY_2}/000000000021-000000000030.json")
    again = list_marked(store, DATASET, ".json", marks)
    assert again.skipped == {DAY_1, ETH}
    assert DAY_2 in again.marks


@pytest.mark.usefixtures("later")
def test_a_folder_made_again_is_read_again(tmp_path: Path) -> None:
    store = _lake(tmp_path)
    marks = list_marked(store, DATASET, ".json", {}).marks
    store.delete_folder(DAY_2)
    store.put(f"{DAY_2}/000000000021-000000000030.json", b"[]")
    assert list_marked(store, DATASET, ".json", marks).skipped == {DAY_1, ETH}


def test_a_missing_folder_lists_nothing(tmp_path: Path) -> None:
    listing = list_marked(LocalStore(tmp_path), DATASET, ".json", {})
    assert (listing.keys, listing.marks, listing.skipped) == ([], {}, set())
