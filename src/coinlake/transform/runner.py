"""Incremental Silver and Gold runs: which inputs, which partitions, and a crash-safe commit.

`run_transform(store, engine, layer)` runs every table of the catalog on a lake (`ObjectStore`)
and an engine; `coinlake.app.transform` builds both from the settings. One run of a table:
1. finish any commit a crashed run left (`state.recover`), drop stale staging files;
2. diff the Bronze listing (Silver) or the Silver change log (Gold) against the bookmark;
   nothing new means nothing is written, not even the lease (`transform.idle` checks first);
3. have the engine stage the new rows (`transform.staging`) and write every touched partition,
   whole and deduplicated against what it already holds, as new files under `_staging/` (one
   file per partition); a Silver partition that cannot hold a key of the batch gets only the
   new rows, as a file added beside its old ones (`coinlake.transform.append`, which also
   compacts finished partitions);
4. write the commit journal, move the new files in, delete the rewritten partitions' old files,
   write the bookmark last, remove the journal.

A concurrent reader sees, per partition, the old files, then for the few milliseconds between a
move and the following delete both old and new files (rows of that partition may show twice),
then the new files; it never sees a partition without its rows. A run holds its table's lease
(`coinlake.transform.table_lock`) from step 1 to the end and renews it before each commit: a
second run of the same table meanwhile stops at once with `LeaseHeldError`, touching nothing.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from coinlake.engines.base import Engine
from coinlake.errors import ConfigError
from coinlake.storage.base import ObjectStore, list_files
from coinlake.storage.folder_marks import Listing
from coinlake.storage.layout import staging_folder
from coinlake.tables import catalog
from coinlake.tables.spec import QUARANTINE_PARTITION, GoldDef, SilverDef
from coinlake.transform import append, sqlbuild
from coinlake.transform.batches import MAX_BATCH_OBJECTS, plan_batches
from coinlake.transform.commit import commit as _commit
from coinlake.transform.commit import (
    digests,
    files_under,
    staged_moves,
    start_table,
    table_journal,
)
from coinlake.transform.dedup import write_deduplicated
from coinlake.transform.idle import Found, bronze_listing, silver_work
from coinlake.transform.staging import stage
from coinlake.transform.state import Bookmark, read_bookmark
from coinlake.transform.table_lock import TableLock, hold_table

logger = logging.getLogger(__name__)

Layer = Literal["silver", "gold", "all"]
Progress = Callable[[str, str], None]
"""Called with (table, what is happening now)."""


@dataclass(slots=True)
class TableSummary:
    """What one run did to one table."""

    table: str
    objects_read: int = 0
    objects_unparsable: int = 0
    objects_unreadable: int = 0
    """Bronze objects that are not readable envelopes (quarantined whole, `unreadable_object`)."""
    rows_in: int = 0
    rows_written: int = 0
    rows_deduped: int = 0
    rows_quarantined: int = 0
    partitions_rewritten: int = 0
    full_refresh: bool = False
    recovered: bool = False
    seconds: float = 0.0

    def add_batch(
        self, objects: int, counts: tuple[int, int, int, int], existing: int, written: int
    ) -> None:
        """Add a Silver batch: its objects, (valid, rejected, unparsable, unreadable) staged
        records, the rows its rewritten partitions held before, the rows it wrote."""
        valid, rejected, unparsable, unreadable = counts
        self.objects_read += objects
        self.objects_unparsable += unparsable
        self.objects_unreadable += unreadable
        self.rows_in += valid + rejected - unparsable - unreadable
        self.rows_quarantined += rejected
        self.rows_written += written
        self.rows_deduped += valid + existing - written

    @property
    def changed(self) -> bool:
        """True when the run rewrote anything."""
        return self.partitions_rewritten > 0 or self.objects_read > 0


def quiet(_table: str, _message: str) -> None:
    """A `Progress` that shows nothing."""
    return


def run_transform(
    store: ObjectStore,
    engine: Engine,
    layer: Layer = "all",
    *,
    full_refresh: bool = False,
    progress: Progress = quiet,
    max_batch_objects: int = MAX_BATCH_OBJECTS,
    partition: str | None = None,
) -> list[TableSummary]:
    """Run the catalog's Silver and/or Gold tables, in catalog order, incrementally (or
    rebuilt when `full_refresh`).

    With `partition` (a partition folder such as `silver/trades/product_id=BTC-USD/date=...`,
    as `coinlake verify` prints it, and `full_refresh`) only that partition is rebuilt.

    Raises:
        ConfigError: `layer` is not silver, gold or all; `partition` without `full_refresh`
            or not a partition folder of a table.
    """
    if layer not in ("silver", "gold", "all"):
        raise ConfigError(f"layer {layer!r}: choose silver, gold or all")
    if partition is not None:
        if not full_refresh:
            raise ConfigError("--partition rebuilds one partition: give it with --full-refresh")
        from coinlake.transform.rebuild import rebuild_partition

        tables: list[SilverDef | GoldDef] = [*catalog.silver_tables(), *catalog.gold_tables()]
        return [rebuild_partition(partition, tables, store, engine)]
    summaries: list[TableSummary] = []
    if layer in ("silver", "all"):
        summaries.extend(
            run_silver(
                silver,
                store,
                engine,
                full_refresh=full_refresh,
                progress=progress,
                max_batch_objects=max_batch_objects,
            )
            for silver in catalog.silver_tables()
        )
    if layer in ("gold", "all"):
        from coinlake.transform.gold import run_gold

        summaries.extend(
            run_gold(gold, store, engine, full_refresh=full_refresh, progress=progress)
            for gold in catalog.gold_tables()
        )
    return summaries


def run_silver(
    defn: SilverDef,
    store: ObjectStore,
    engine: Engine,
    *,
    full_refresh: bool = False,
    progress: Progress = quiet,
    max_batch_objects: int = MAX_BATCH_OBJECTS,
) -> TableSummary:
    """Bring one Silver table (and its quarantine) up to date with Bronze, batch by batch;
    each batch is committed (journal, files, bookmark) before the next one starts.

    Raises:
        LeaseHeldError: another run of this table is in progress (nothing was touched).
        LeaseLostError: this run paused past its lease and another run took the table over.
    """
    started = time.perf_counter()
    found: Found | None = None
    if not full_refresh:
        progress(defn.name, "listing Bronze")
        found = silver_work(defn, store)
        if found is None:
            return TableSummary(defn.name, seconds=time.perf_counter() - started)
    with hold_table(store, defn.name) as lock:
        return _run_silver(
            defn, store, engine, lock, full_refresh, progress, max_batch_objects, found
        )


def _run_silver(
    defn: SilverDef,
    store: ObjectStore,
    engine: Engine,
    lock: TableLock,
    full_refresh: bool,
    progress: Progress,
    max_batch_objects: int,
    found: Found | None,
) -> TableSummary:
    started = time.perf_counter()
    summary = TableSummary(defn.name, full_refresh=full_refresh)
    summary.recovered, _ = start_table(store, defn.name)
    bookmark = read_bookmark(store, defn.name)
    if found is None:
        progress(defn.name, "listing Bronze")
        listing = bronze_listing(defn, store, {})  # a full refresh reads them all
        new_keys = listing.keys
    elif not summary.recovered and bookmark.version == found.version:
        listing, new_keys = found.listing, found.new_keys  # no commit since the check
    else:
        listing, new_keys = found.listing, bookmark.unconsumed(found.listing.keys)
    if not new_keys and not full_refresh:
        summary.seconds = time.perf_counter() - started
        return summary
    batches = plan_batches(new_keys, max_batch_objects) or [[]]
    rewritten: set[str] = set()
    done = 0
    for number, batch in enumerate(batches):
        progress(
            defn.name,
            f"batch {number + 1}/{len(batches)}: {done:,}/{len(new_keys):,} objects done",
        )
        bookmark = _silver_batch(
            defn,
            store,
            engine,
            lock,
            batch,
            (bookmark, listing),
            full_refresh and number == 0,
            summary,
            rewritten,
        )
        done += len(batch)
    summary.partitions_rewritten = len(rewritten)
    summary.seconds = time.perf_counter() - started
    logger.info(
        "%s: %d objects, %d rows in, %d written, %d deduped, %d quarantined, %d partitions, %.2fs",
        defn.name,
        summary.objects_read,
        summary.rows_in,
        summary.rows_written,
        summary.rows_deduped,
        summary.rows_quarantined,
        summary.partitions_rewritten,
        summary.seconds,
    )
    return summary


def _silver_batch(
    defn: SilverDef,
    store: ObjectStore,
    engine: Engine,
    lock: TableLock,
    keys: list[str],
    state: tuple[Bookmark, Listing],
    full: bool,
    summary: TableSummary,
    rewritten: set[str],
) -> Bookmark:
    """Stage, write and commit one batch (appended to its partitions when it cannot collide
    with their rows, `transform.append`); add its counts to `summary`; return the bookmark.
    `state` is the bookmark so far and the run's Bronze listing (whose folder marks are
    recorded once all of a folder's objects are consumed)."""
    bookmark, listing = state
    staging = staging_folder(defn.name, uuid.uuid4().hex)
    views = stage(defn, store, engine, keys)
    profile = append.read_batch(engine, defn)
    touched, spans, q_touched = profile.touched, profile.spans, profile.quarantine_dates
    plan = append.Plan([], [])
    q_folders: list[str] = []
    if full:
        old = list_files(store, defn.path, ".parquet")
        old_q = list_files(store, defn.quarantine_path, ".parquet")
        existing: list[str] = []
        existing_q: list[str] = []
    else:
        filled: dict[str, list[str]] = {}
        for key in files_under(store, [f"{defn.path}/{p}" for p in touched]):
            filled.setdefault(key[len(defn.path) + 1 :].rpartition("/")[0], []).append(key)
        plan = append.plan_partitions(
            engine, defn, store.uri(), bookmark.ranges, spans, filled, rewritten
        )
        existing = old = [key for partition in plan.rewrite for key in filled[partition]]
        # quarantine rows are never deduplicated: when no partition is rewritten, they append
        if defn.range_column is None or plan.rewrite:
            q_folders = [f"{defn.quarantine_path}/{p}" for p in q_touched]
        existing_q = old_q = files_under(store, q_folders)
    engine.register_parquet("existing", store.uri(), existing, defn.columns, defn.partition_by)
    engine.register_parquet(
        "existing_quarantine",
        store.uri(),
        existing_q,
        defn.quarantine_columns,
        (QUARANTINE_PARTITION,),
    )
    existing_rows = int(str(engine.rows("SELECT COUNT(*) FROM existing")[0][0])) if existing else 0
    written = write_deduplicated(defn, store, engine, f"{staging}/table", (touched, len(keys)))
    if profile.counts[1] or existing_q:  # rejected rows, or quarantine to carry over
        engine.write_partitioned(
            sqlbuild.build_quarantine_sql(defn), store.uri(), f"{staging}/quarantine", ["date"]
        )
    for view in (*views, "existing", "existing_quarantine"):
        engine.drop(view)
    moves = staged_moves(store, f"{staging}/table", defn.path)
    moves += staged_moves(store, f"{staging}/quarantine", defn.quarantine_path)
    appended = {
        s.partition: (s.first_at, s.last_at) for s in spans if s.partition not in plan.rewrite
    }
    next_bookmark = bookmark.advanced(
        partitions=touched, full=full, new_keys=keys, spans=None if full else appended
    ).with_marks(listing)
    next_bookmark.ranges = append.widened(next_bookmark.ranges, spans, plan.bounds)
    folders = (
        [defn.path, defn.quarantine_path]
        if full
        else [f"{defn.path}/{p}" for p in plan.rewrite] + q_folders
    )
    next_bookmark.with_files(folders, digests(store, moves))
    journal = table_journal(defn.name, moves, old + old_q, next_bookmark)
    _commit(store, lock, journal)
    if full:
        store.remove_empty_folders(defn.path)
        store.remove_empty_folders(defn.quarantine_path)
    due = append.due_for_compaction(defn, next_bookmark, spans)
    if due:
        next_bookmark = append.compact(defn, store, engine, lock, next_bookmark, due)
    summary.add_batch(len(keys), profile.counts, existing_rows, written)
    rewritten.update(touched)
    rewritten.update(f"quarantine/{p}" for p in q_touched)
    return next_bookmark
