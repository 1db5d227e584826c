"""The check a table's run makes before its lease: is there anything to do?

A run every few minutes mostly finds most tables with nothing new (Silver prices and candles
when only trades came; Gold tables whose source did not change). Taking the lease costs writes
and fsyncs (take, then give back); so a run first checks, reading only: no commit journal left
to finish, and nothing new against the bookmark (Silver: the Bronze listing, which on a local
lake skips the folders whose recorded mark still holds; Gold: the source's change log). Nothing
to do: the run returns, having written nothing, after checking that no
other run holds the lease (so it fails as a run that would write does, `LeaseHeldError`). Work
to do: the run takes the lease and reads the bookmark again under it; Silver reuses the keys
found here when the bookmark's version has not moved in between.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coinlake.storage.base import ObjectStore
from coinlake.storage.folder_marks import Listing, list_marked
from coinlake.storage.layout import journal_key
from coinlake.tables.spec import SilverDef
from coinlake.transform.state import read_bookmark
from coinlake.transform.table_lock import check_table_free


@dataclass(frozen=True, slots=True)
class Found:
    """What the check before the lease found: the Bronze listing, the bookmark version it
    was diffed against and the keys that version had not consumed."""

    listing: Listing
    version: int
    new_keys: list[str]


def bronze_listing(defn: SilverDef, store: ObjectStore, marks: Mapping[str, str]) -> Listing:
    """The Bronze object keys the Silver table reads, except those in folders whose recorded
    mark still holds (`marks`: the bookmark's; empty to list everything)."""
    listing = Listing()
    for prefix in defn.bronze_prefixes:
        listing.extend(list_marked(store, prefix, ".json", marks))
    return listing


def silver_work(defn: SilverDef, store: ObjectStore) -> Found | None:
    """What a Silver run has to do, or None when nothing (no lease taken, nothing written).

    Raises:
        LeaseHeldError: nothing to do, but another run holds the table.
    """
    pending = store.exists(journal_key(defn.name))
    bookmark = read_bookmark(store, defn.name)
    listing = bronze_listing(defn, store, bookmark.marks)
    found = Found(listing, bookmark.version, bookmark.unconsumed(listing.keys))
    if pending or found.new_keys:
        return found
    check_table_free(store, defn.name)
    return None


def nothing_pending(store: ObjectStore, table: str) -> bool:
    """True when no crashed commit of `table` waits to be finished."""
    return not store.exists(journal_key(table))
