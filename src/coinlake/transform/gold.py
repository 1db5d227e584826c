"""Incremental Gold runs: which source partitions changed, which Gold partitions they make.

A Gold table reads the change log of its source's bookmark (the partitions each source version
rewrote) and rewrites the Gold partitions those make, through the runner's staging and
crash-safe commit. A table whose partition is a year of its source's days (`GoldDef.year_of`,
ADR 0005) recomputes only the changed days and merges them with the year's other rows, so a
new page costs a few days of Silver and one year of one product's Gold (at most 8,784 hourly
rows), whatever the size of the lake.
"""

from __future__ import annotations

import logging
import time

from coinlake.engines.base import Engine
from coinlake.storage.base import ObjectStore, list_files
from coinlake.tables.spec import LINEAGE, GoldDef
from coinlake.transform import sqlbuild
from coinlake.transform.commit import (
    digests,
    files_under,
    staged_moves,
    start_table,
    table_journal,
)
from coinlake.transform.idle import nothing_pending
from coinlake.transform.runner import Progress, TableSummary, quiet
from coinlake.transform.state import Bookmark, apply_journal, read_bookmark, write_journal
from coinlake.transform.table_lock import TableLock, check_table_free, hold_table

logger = logging.getLogger(__name__)


def _folder_of(base: str, key: str) -> str:
    """The partition path of a file `key` under the table folder `base`."""
    return key[len(base) + 1 :].rpartition("/")[0]


def gold_inputs(store: ObjectStore, defn: GoldDef, partitions: set[str]) -> list[str]:
    """The source files whose rows make the given Gold partitions, whole."""
    listed = files_under(store, sqlbuild.gold_source_prefixes(defn, partitions))
    return [k for k in listed if defn.partition_of(_folder_of(defn.source.path, k)) in partitions]


def layout_changed(defn: GoldDef, bookmark: Bookmark) -> bool:
    """True when the table's recorded files are laid out in other partition columns than its
    definition's (a lake written before a layout change): the run must rebuild it whole."""
    names = [c.name for c in defn.partition_by]
    for key in bookmark.files:
        if key.startswith(f"{defn.path}/"):
            levels = [lv for lv in _folder_of(defn.path, key).split("/") if lv]
            return [level.partition("=")[0] for level in levels] != names
    return False


def run_gold(
    defn: GoldDef,
    store: ObjectStore,
    engine: Engine,
    *,
    full_refresh: bool = False,
    progress: Progress = quiet,
) -> TableSummary:
    """Rebuild the Gold partitions whose Silver rows changed since the last run.

    Raises:
        LeaseHeldError: another run of this table is in progress (nothing was touched).
        LeaseLostError: this run paused past its lease and another run took the table over.
    """
    started = time.perf_counter()
    # nothing new and no commit to finish: stop before writing anything, the lease included
    if not full_refresh and nothing_pending(store, defn.name):
        bookmark = read_bookmark(store, defn.name)
        full, changed = _work(defn, bookmark, read_bookmark(store, defn.source.name), False)
        if not full and not changed:
            check_table_free(store, defn.name)
            return TableSummary(defn.name, seconds=time.perf_counter() - started)
    with hold_table(store, defn.name) as lock:
        return _run_gold(defn, store, engine, lock, full_refresh, progress)


def _work(
    defn: GoldDef, bookmark: Bookmark, source: Bookmark, full_refresh: bool
) -> tuple[bool, set[str]]:
    """(rebuild whole, source partitions changed since the table's last run)."""
    if full_refresh or bookmark.source_version is None or layout_changed(defn, bookmark):
        return True, set()
    return source.changes_since(int(bookmark.source_version))


def _run_gold(
    defn: GoldDef,
    store: ObjectStore,
    engine: Engine,
    lock: TableLock,
    full_refresh: bool,
    progress: Progress,
) -> TableSummary:
    started = time.perf_counter()
    summary = TableSummary(defn.name, full_refresh=full_refresh)
    summary.recovered, staging = start_table(store, defn.name)
    bookmark = read_bookmark(store, defn.name)
    source = read_bookmark(store, defn.source.name)
    full, changed = _work(defn, bookmark, source, full_refresh)
    if not full and not changed:
        summary.seconds = time.perf_counter() - started
        return summary
    merge = defn.year_of is not None and not full
    if full:
        inputs = list_files(store, defn.source.path, ".parquet")
        old = list_files(store, defn.path, ".parquet")
        touched = sorted({defn.partition_of(_folder_of(defn.source.path, k)) for k in inputs})
    else:
        touched = sorted({defn.partition_of(p) for p in changed})
        # a year is merged: only the changed days are read again (ADR 0005)
        inputs = (
            files_under(store, [f"{defn.source.path}/{p}" for p in sorted(changed)])
            if merge
            else gold_inputs(store, defn, set(touched))
        )
        old = files_under(store, [f"{defn.path}/{p}" for p in touched])
    summary.objects_read = len(inputs)
    progress(defn.name, f"aggregating {len(touched):,} partitions")
    engine.register_parquet(
        defn.source_view, store.uri(), inputs, defn.source.columns, defn.source.partition_by
    )
    # The upstream rows the rebuilt partitions are aggregated from (Parquet footers: cheap).
    counted = f"SELECT COUNT(*) FROM {defn.source_view}"  # noqa: S608  # a fixed view name
    summary.rows_in = int(str(engine.rows(counted)[0][0])) if inputs else 0
    sql = defn.sql
    if merge:
        engine.register_parquet("existing", store.uri(), old, defn.columns, defn.partition_by)
        sql = sqlbuild.build_gold_merge_sql(defn, sorted(changed))
    summary.rows_written = engine.write_partitioned(
        sql,
        store.uri(),
        f"{staging}/table",
        [c.name for c in defn.partition_by],
        lineage=any(c.name == LINEAGE for c in defn.all_columns),
    )
    if merge:
        engine.drop("existing")
    engine.drop(defn.source_view)
    moves = staged_moves(store, f"{staging}/table", defn.path)
    next_bookmark = bookmark.advanced(partitions=touched, full=full, source_version=source.version)
    next_bookmark.source = defn.source.name
    next_bookmark.with_files(
        [defn.path] if full else [f"{defn.path}/{p}" for p in touched], digests(store, moves)
    )
    journal = table_journal(defn.name, moves, old, next_bookmark)
    progress(defn.name, "committing")
    lock.before_commit()  # a run whose lease was taken over stops here, before any change
    write_journal(store, journal)
    apply_journal(store, journal)
    if full:
        store.remove_empty_folders(defn.path)
    summary.partitions_rewritten = len(touched)
    summary.full_refresh = full
    summary.seconds = time.perf_counter() - started
    logger.info(
        "%s: %d partitions, %d rows written, %.2fs",
        defn.name,
        summary.partitions_rewritten,
        summary.rows_written,
        summary.seconds,
    )
    return summary
