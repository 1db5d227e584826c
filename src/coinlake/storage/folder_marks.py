"""Listing a Bronze tree without reading the folders that cannot hold anything new.

A run every few minutes lists every Bronze object to find the few new ones: at 30M trades that
is ~30,000 names in ~60 folders, most of the run's fixed cost. On a local lake a folder's
status-change time moves whenever an entry is added, removed or renamed in it, so a folder whose
(inode, mtime, ctime) "mark" is the one recorded when all its objects were consumed holds the
same objects: it is stat-ed, not read.

Two rules keep the shortcut exact:
- only a folder with no sub-folder gets a mark (a change deeper down does not touch its times);
- a mark is only given when the folder's times are older than `SETTLE_NS`: an entry added in the
  same clock tick as the listing could leave the times unchanged, and a folder written that
  recently is simply read again on the next run.

Stores that are not local folders (S3) have no such times: every folder is read, as before.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from coinlake.errors import StorageError
from coinlake.storage.base import ObjectStore, list_files
from coinlake.storage.layout import is_hidden

SETTLE_NS = 2_000_000_000
"""A folder changed less than this long before it is listed gets no mark (2 s: far beyond a
file-system clock tick, far below the minutes between scheduled runs)."""


@dataclass(slots=True)
class Listing:
    """What a marked listing found."""

    keys: list[str] = field(default_factory=list)
    """Keys in the folders that were read, sorted."""
    marks: dict[str, str] = field(default_factory=dict)
    """Folder -> mark, for the folders read whose times are settled."""
    skipped: set[str] = field(default_factory=set)
    """Folders not read: their recorded mark still holds, so their objects are unchanged."""

    def extend(self, other: Listing) -> None:
        """Add another prefix's listing to this one."""
        self.keys = sorted([*self.keys, *other.keys])
        self.marks.update(other.marks)
        self.skipped.update(other.skipped)


def by_folder(keys: Iterable[str]) -> dict[str, list[str]]:
    """`keys` grouped by folder: folder -> the names in it, in the keys' order."""
    grouped: dict[str, list[str]] = {}
    for key in keys:
        folder, _, name = key.rpartition("/")
        grouped.setdefault(folder, []).append(name)
    return grouped


def list_marked(store: ObjectStore, folder: str, suffix: str, known: Mapping[str, str]) -> Listing:
    """The keys under `folder` ending in `suffix` (hidden segments skipped, as `list_files`),
    except in the folders whose mark in `known` still holds.

    Raises:
        StorageError: a folder of a local lake cannot be read.
    """
    base = folder.rstrip("/")
    root = store.local_path(base)
    if root is None:
        return Listing(keys=list_files(store, base, suffix))
    listing = Listing()
    if not root.is_dir():
        return listing
    settled_before = time.time_ns() - SETTLE_NS
    pending = [(root, base)]
    while pending:
        path, key = pending.pop()
        try:
            _read_folder(path, key, suffix, known, settled_before, listing, pending)
        except FileNotFoundError:
            continue  # removed while listed: nothing in it to read
        except OSError as exc:
            raise StorageError(f"cannot list {path}: {exc.strerror or exc}") from exc
    listing.keys.sort()
    return listing


def _read_folder(
    path: Path,
    key: str,
    suffix: str,
    known: Mapping[str, str],
    settled_before: int,
    listing: Listing,
    pending: list[tuple[Path, str]],
) -> None:
    """List one folder into `listing` (or skip it), queueing its sub-folders."""
    info = path.stat()  # before reading the entries: a later change moves the mark
    mark = f"{info.st_ino}:{info.st_mtime_ns}:{info.st_ctime_ns}"
    if known.get(key) == mark:
        listing.skipped.add(key)
        return
    subfolders = 0
    with os.scandir(path) as entries:
        for entry in entries:
            name = entry.name
            if is_hidden(name):
                continue
            if entry.is_dir():
                subfolders += 1
                if not entry.is_symlink():  # as `os.walk`: a linked folder is not entered
                    pending.append((Path(entry.path), f"{key}/{name}"))
            elif name.endswith(suffix):
                listing.keys.append(f"{key}/{name}")
    if not subfolders and max(info.st_mtime_ns, info.st_ctime_ns) < settled_before:
        listing.marks[key] = mark
