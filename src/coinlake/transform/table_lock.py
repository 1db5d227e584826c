"""One transform at a time per table: a lease around each table's run.

    _state/locks/transform/silver.trades.json     (see `coinlake.bronze.lease`)

A table's run owns its bookmark, its commit journal and its whole `_staging/<table>/` tree: a
second run of the same table would delete the first one's staged files, finish its journal, then
let the first commit delete the partitions the second wrote while the bookmark marks their
Bronze objects consumed, so a re-run would not bring the rows back. The lease makes that second
run stop before it touches anything, with `LeaseHeldError` (the CLI prints its one line, naming
the holder's run, process and host, and exits 1): a scheduler that starts a transform while the
last one still runs gets a skipped, failed run and the next one catches up.

Why per table, not per lake: the table is the unit of the runner's state, so the lease guards
exactly what can be corrupted; tables of one lake never write each other's files (a Gold run
reading Silver while it commits is a reader, which the commit protocol allows).

The lease is renewed before a commit once a third of its TTL has passed
(`TableLock.before_commit`; a younger lease is left as it is, saving a write and two fsyncs):
a run that paused longer than the TTL and whose lease another run took raises `LeaseLostError`
instead of committing.
A run killed with SIGKILL leaves its lease behind; the next run on the same machine takes it at
once (its process is gone), a run on another machine after the TTL.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from coinlake.bronze.lease import (
    DEFAULT_TTL,
    Lease,
    acquire_lease,
    check_lease_free,
    release_lease,
    renew_if_due,
)
from coinlake.storage.base import ObjectStore


def table_lease_name(table: str) -> str:
    """`transform/silver.trades`: the lease guarding one table's runs."""
    return f"transform/{table}"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class TableLock:
    """The lease one run holds on one table."""

    store: ObjectStore
    lease: Lease
    ttl: timedelta = DEFAULT_TTL

    def before_commit(self) -> None:
        """Renew the lease once a third of its TTL has passed; call right before writing a
        commit journal. A younger lease is still ours (another run takes only an expired
        lease, or one whose process is gone) and outlasts the commit: it is not rewritten.

        Raises:
            LeaseLostError: the lease expired and another run took it: do not commit.
        """
        self.lease = renew_if_due(self.store, self.lease, now=_now(), ttl=self.ttl)


def check_table_free(store: ObjectStore, table: str) -> None:
    """Stop as `hold_table` would when another run holds `table`'s lease, reading it only: a
    run that finds nothing to do checks this instead of writing (and syncing) a lease.

    Raises:
        LeaseHeldError: another run holds it; its message names that run, process and host.
    """
    check_lease_free(store, table_lease_name(table), uuid.uuid4().hex, now=_now())


@contextlib.contextmanager
def hold_table(
    store: ObjectStore, table: str, *, ttl: timedelta = DEFAULT_TTL
) -> Iterator[TableLock]:
    """Take `table`'s lease for the block, released at its end (also on error).

    Raises:
        LeaseHeldError: another run holds it; its message names that run, process and host.
    """
    name = table_lease_name(table)
    lock = TableLock(store, acquire_lease(store, name, uuid.uuid4().hex, now=_now(), ttl=ttl), ttl)
    try:
        yield lock
    finally:
        release_lease(store, lock.lease, now=_now())
