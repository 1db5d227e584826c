"""Incremental Gold runs: which source partitions changed, which Gold partitions they make.

A Gold table reads the change log of its source's bookmark (the partitions each source version
rewrote) and rewrites the Gold partitions those make, through the runner's staging and
crash-safe commit. A table whose partition is a year of its source's days (`GoldDef.year_of`,
ADR 0005) recomputes only the changed days and merges them with the year's other rows, so a
new page costs a few days of Silver and one year of one product's Gold (at most 8,784 hourly
rows), whatever the size of the lake.

Where every source version since the table's last run only appended rows to a source partition
(its change entries carry `spans`: the first and last event time of the rows added, see
`coinlake.transform.append`), the rows of that partition's other hours cannot have changed: the
run reads the partition's files filtered to the hours the spans cover (whole hours, so each
recomputed hour sees all of its rows; the engines skip the row groups whose time statistics lie
outside) and replaces only those hours in the year. Any other change (a rewrite, a partition
rebuild, a full refresh) recomputes the whole day.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from coinlake.engines.base import Engine
from coinlake.storage.base import ObjectStore, list_files
from coinlake.tables.spec import GoldDef
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


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _hour_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:00:00")


def appended_hours(source: Bookmark, since: int, changed: set[str]) -> dict[str, tuple[str, str]]:
    """For each of the `changed` source partitions that every source version after `since`
    touching it only appended to (its change entries carry a span for it): the hours
    [start, end) holding the rows added, as UTC `YYYY-MM-DD HH:MM:SS` (the start of the first
    span's hour, the end of the last one's). The other partitions are not in the answer."""
    found: dict[str, tuple[datetime, datetime]] = {}
    whole: set[str] = set()
    for change in source.changes:
        if int(change["version"]) <= since:
            continue
        spans = change.get("spans") or {}
        for partition in change["partitions"]:
            try:
                first, last = (_utc(str(moment)) for moment in spans[partition])
            except (KeyError, TypeError, ValueError):  # rewritten, or a span not ours: whole
                whole.add(partition)
                continue
            low, high = found.get(partition, (first, last))
            found[partition] = (min(low, first), max(high, last))
    return {
        partition: (_hour_text(low), _hour_text(high + timedelta(hours=1)))
        for partition, (low, high) in found.items()
        if partition in changed and partition not in whole
    }


def _bookmarks(
    store: ObjectStore, defn: GoldDef, seen: tuple[Bookmark, Bookmark] | None
) -> tuple[Bookmark, Bookmark]:
    """The table's and its source's bookmarks, read under the lease. `seen`: both as read
    before the lease was taken; the source's is used again when the table's did not move
    meanwhile (a source version read a moment ago is as good a point to catch up to as the
    latest: the next run takes the rest), which saves reading the larger bookmark twice."""
    bookmark = read_bookmark(store, defn.name)
    if seen is not None and seen[0].version == bookmark.version:
        return bookmark, seen[1]
    return bookmark, read_bookmark(store, defn.source.name)


def _register_changed(
    engine: Engine,
    store: ObjectStore,
    defn: GoldDef,
    changed: set[str],
    touched: list[str],
    hours: dict[str, tuple[str, str]],
) -> tuple[list[str], list[str]]:
    """Register `defn.source_view` over the source rows that make the `touched` partitions
    again: the whole source partitions they hold, or for a `year_of` table only the `changed`
    ones (ADR 0005), each within the hours `hours` gives for it if any, else whole. Return
    (the files it reads, the views to drop)."""
    base = defn.source.path
    columns, partition_by = defn.source.columns, defn.source.partition_by
    if defn.year_of is None:
        inputs = gold_inputs(store, defn, set(touched))
    else:
        inputs = files_under(store, [f"{base}/{p}" for p in sorted(changed)])
    if not hours or not inputs:
        engine.register_parquet(defn.source_view, store.uri(), inputs, columns, partition_by)
        return inputs, [defn.source_view]
    groups: dict[str, list[str]] = {}
    for key in inputs:
        folder = _folder_of(base, key)
        groups.setdefault(folder if folder in hours else "", []).append(key)
    parts: list[tuple[str, tuple[str, str] | None]] = []
    for number, (folder, keys) in enumerate(sorted(groups.items())):
        name = f"{defn.source_view}_{number}"
        engine.register_parquet(name, store.uri(), keys, columns, partition_by)
        parts.append((name, hours.get(folder)))
    time_column = str(defn.source.time_column)
    engine.view(defn.source_view, sqlbuild.build_hours_source_sql(time_column, parts))
    return inputs, [defn.source_view, *(name for name, _ in parts)]


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
    seen: tuple[Bookmark, Bookmark] | None = None
    # nothing new and no commit to finish: stop before writing anything, the lease included
    if not full_refresh and nothing_pending(store, defn.name):
        seen = read_bookmark(store, defn.name), read_bookmark(store, defn.source.name)
        full, changed = _work(defn, *seen, False)
        if not full and not changed:
            check_table_free(store, defn.name)
            return TableSummary(defn.name, seconds=time.perf_counter() - started)
    with hold_table(store, defn.name) as lock:
        return _run_gold(defn, store, engine, lock, full_refresh, progress, seen)


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
    seen: tuple[Bookmark, Bookmark] | None,
) -> TableSummary:
    """The run under the table's lease (`seen`: see `_bookmarks`)."""
    started = time.perf_counter()
    summary = TableSummary(defn.name, full_refresh=full_refresh)
    summary.recovered, staging = start_table(store, defn.name)
    bookmark, source = _bookmarks(store, defn, None if summary.recovered else seen)
    full, changed = _work(defn, bookmark, source, full_refresh)
    if not full and not changed:
        summary.seconds = time.perf_counter() - started
        return summary
    merge = defn.year_of is not None and not full
    hours = appended_hours(source, int(bookmark.source_version or 0), changed) if merge else {}
    if full:
        inputs = list_files(store, defn.source.path, ".parquet")
        old = list_files(store, defn.path, ".parquet")
        touched = sorted({defn.partition_of(_folder_of(defn.source.path, k)) for k in inputs})
        engine.register_parquet(
            defn.source_view, store.uri(), inputs, defn.source.columns, defn.source.partition_by
        )
        views = [defn.source_view]
    else:
        touched = sorted({defn.partition_of(p) for p in changed})
        old = files_under(store, [f"{defn.path}/{p}" for p in touched])
        inputs, views = _register_changed(engine, store, defn, changed, touched, hours)
    progress(defn.name, f"aggregating {len(touched):,} partitions")
    summary.objects_read = len(inputs)
    # The upstream rows the rebuilt partitions are aggregated from (Parquet footers for whole
    # partitions; for hours, the time column of the row groups their filter keeps).
    counted = f"SELECT COUNT(*) FROM {defn.source_view}"  # noqa: S608  # a fixed view name
    summary.rows_in = int(str(engine.rows(counted)[0][0])) if inputs else 0
    sql = defn.sql
    if merge:
        engine.register_parquet("existing", store.uri(), old, defn.columns, defn.partition_by)
        sql = sqlbuild.build_gold_merge_sql(defn, sorted(changed), hours=hours)
    summary.rows_written = engine.write_partitioned(
        sql, store.uri(), f"{staging}/table", [c.name for c in defn.partition_by]
    )
    if merge:
        engine.drop("existing")
    for view in views:
        engine.drop(view)
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
