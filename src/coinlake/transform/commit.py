"""The steps every table commit shares: stage, list, checksum, journal, apply.

A commit moves new files from the run's staging folder into the table, deletes the files they
replace and writes the bookmark last, through a journal written first (`transform.state`), so
a crash at any point rolls forward on the next run.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from coinlake.storage.base import ObjectStore, digests_of, list_files
from coinlake.storage.layout import staging_folder
from coinlake.transform.state import Bookmark, Journal, apply_journal, recover, write_journal
from coinlake.transform.table_lock import TableLock


def files_under(store: ObjectStore, prefixes: Sequence[str]) -> list[str]:
    """Every Parquet file under the folders `prefixes`."""
    return [key for prefix in prefixes for key in list_files(store, prefix, ".parquet")]


def staged_moves(store: ObjectStore, staging: str, target: str) -> list[tuple[str, str]]:
    """(staged key, final key) of every file staged under `staging`, moved to `target`."""
    return [(key, f"{target}/{key[len(staging) + 1 :]}") for key in list_files(store, staging)]


def digests(store: ObjectStore, moves: list[tuple[str, str]]) -> dict[str, tuple[int, str]]:
    """(size, SHA-256) of each staged file, under the key it is moved to."""
    found = digests_of(store, [staged for staged, _ in moves])
    return {final: pair for (_, final), pair in zip(moves, found, strict=True)}


def start_table(store: ObjectStore, table: str) -> tuple[bool, str]:
    """Finish a crashed commit, drop stale staging; return (recovered, a new staging folder)."""
    recovered = recover(store, table)
    store.delete_folder(staging_folder(table))
    return recovered, staging_folder(table, uuid.uuid4().hex)


def table_journal(
    table: str, moves: list[tuple[str, str]], deletes: list[str], bookmark: Bookmark
) -> Journal:
    """The journal of one commit."""
    # the whole staging folder of the table goes once the commit is applied
    return Journal(table, moves, deletes, bookmark.to_json(), staging_folder(table))


def commit(store: ObjectStore, lock: TableLock, journal: Journal) -> None:
    """Renew the lease, record the journal, carry it out."""
    lock.before_commit()  # a run whose lease was taken over stops here, before any change
    write_journal(store, journal)
    apply_journal(store, journal)
