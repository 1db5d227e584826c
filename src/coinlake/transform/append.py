"""Appending a Silver batch to its partitions instead of rewriting them, and compaction.

A batch normally rewrites every partition it touches: the new rows and the rows already there,
deduplicated together. That costs the size of the partition, so a run every few minutes into
today's partition grows with the day. For a table with a `range_column` (trades: `trade_id`,
the key's only column that is not a partition column) the bookmark records, per partition,
bounds that contain every value of that column there (`Bookmark.ranges`). A partition the
batch touches cannot hold a key of the batch when the batch's values for its group (trades:
one product) lie outside its bounds; one whose bounds they overlap (a late or re-fetched page)
has its keys read and joined with the batch's. Where no key of the batch is found, the result
of the rewrite would be the old rows plus the batch's, deduplicated among themselves: the
batch's rows are written there as new part files beside the old ones (an append). The other
partitions are rewritten as before, and the one dedup runs over the batch and their rows, so
either way the same rows result.

An append leaves partitions with several files. A partition is compacted (its files read and
written again as one, in event-time order, in a commit of its own that changes no row and no
version) once a later partition of its group is written (its day is over) or once it holds
more than `MAX_PARTS` files. Ids of re-fetched or late pages fall inside the bounds and take
the rewrite path, which leaves one file too.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from coinlake.engines.base import Engine, Row
from coinlake.storage.base import ObjectStore
from coinlake.storage.layout import staging_folder
from coinlake.tables.spec import (
    QUARANTINE_PARTITION,
    UNPARSABLE_RULE,
    UNREADABLE_RULE,
    SilverDef,
)
from coinlake.transform import sqlbuild
from coinlake.transform.commit import (
    commit,
    digests,
    files_under,
    staged_moves,
    table_journal,
)
from coinlake.transform.state import Bookmark
from coinlake.transform.table_lock import TableLock

logger = logging.getLogger(__name__)

MAX_PARTS = 24
"""A partition holding more part files than this is compacted even while its day goes on
(a run every few minutes: a compaction of today's partition about every two hours)."""


@dataclass(frozen=True, slots=True)
class Span:
    """What a batch's valid rows hold for one partition."""

    partition: str
    """`product_id=BTC-USD/date=2026-11-22`."""
    group: str
    """The partition values of the key's other columns (`product_id=BTC-USD`)."""
    low: int
    high: int
    """Lowest and highest `range_column` value."""
    first_at: str
    last_at: str
    """First and last event time, ISO-8601 UTC."""


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value)


def group_of(defn: SilverDef, partition: str) -> str:
    """The part of a partition path that names its key group (`product_id=BTC-USD`)."""
    keys = set(defn.key)
    return "/".join(part for part in partition.split("/") if part.split("=", 1)[0] in keys)


@dataclass(frozen=True, slots=True)
class BatchProfile:
    """What a staged batch holds, read in one scan (`sqlbuild.build_batch_profile_sql`)."""

    counts: tuple[int, int, int, int]
    """(valid rows, rejected rows, unparsable objects, unreadable objects)."""
    touched: list[str]
    """The partitions its valid rows lie in, sorted."""
    spans: list[Span]
    """Their spans (none without the definition's `range_column`)."""
    quarantine_dates: list[str]
    """The quarantine partitions (`date=YYYY-MM-DD`, fetch dates) its rejected rows go to."""


def read_batch(engine: Engine, defn: SilverDef) -> BatchProfile:
    """Profile the staged batch (the runner's `staged` view)."""
    depth = len(defn.partition_by)
    valid: list[Row] = []
    rows_valid = 0
    rejected: dict[str, int] = {}
    dates: set[str] = set()
    for row in engine.rows(sqlbuild.build_batch_profile_sql(defn)):
        rule, fetched, count = row[depth], row[depth + 1], int(str(row[depth + 2]))
        if rule is None:
            valid.append(row[:depth] + row[depth + 3 :])  # values, low, high, first, last
            rows_valid += count
            continue
        rejected[str(rule)] = rejected.get(str(rule), 0) + count
        dates.add(sqlbuild.partition_name((QUARANTINE_PARTITION,), (fetched,)))
    counts = (
        rows_valid,
        sum(rejected.values()),
        rejected.get(UNPARSABLE_RULE, 0),
        rejected.get(UNREADABLE_RULE, 0),
    )
    touched = sorted(sqlbuild.partition_name(defn.partition_by, row[:depth]) for row in valid)
    spans = [_span(defn, row, depth) for row in valid] if defn.range_column else []
    spans.sort(key=lambda span: span.partition)
    return BatchProfile(counts, touched, spans, sorted(dates))


def _span(defn: SilverDef, row: Row, depth: int) -> Span:
    partition = sqlbuild.partition_name(defn.partition_by, row[:depth])
    low, high, first_at, last_at = row[depth:]
    return Span(
        partition,
        group_of(defn, partition),
        int(str(low)),
        int(str(high)),
        _iso(first_at),
        _iso(last_at),
    )


def _overlaps(span: Span, bounds: tuple[int, int]) -> bool:
    return span.low <= bounds[1] and bounds[0] <= span.high


@dataclass(frozen=True, slots=True)
class Plan:
    """Which of the partitions a batch touches must be rewritten; the rest are appended to."""

    rewrite: list[str]
    """Partitions holding files that may hold a key of the batch: rewritten with it."""
    bounds: list[Row]
    """(partition, low, high) read from partitions that had no bounds recorded."""


def plan_partitions(
    engine: Engine,
    defn: SilverDef,
    root: str,
    ranges: dict[str, tuple[int, int]],
    spans: Sequence[Span],
    filled: dict[str, list[str]],
    fresh: set[str],
) -> Plan:
    """Decide, for the partitions a batch touches that already hold files (`filled`:
    partition -> its files), which must be rewritten. Without a `range_column` all of them.
    So are those an earlier batch of the same run wrote (`fresh`): a run of many batches (a
    full refresh, a catch-up) then writes each partition once or twice, deduplicated in the
    same pass, instead of appending to it and compacting it (measured at 10M trades: +16% CPU).
    Otherwise a partition whose recorded bounds no span of its group overlaps is appended to
    without reading it; the others (overlapping, or without bounds: written before bounds were
    kept) have their keys read and joined with the batch's, and only those where a key of the
    batch is found are rewritten (a late page whose trades are new is appended too)."""
    if defn.range_column is None:
        return Plan(sorted(filled), [])
    again = sorted(partition for partition in filled if partition in fresh)
    suspects = sorted(
        partition
        for partition in filled
        if partition not in fresh
        and (
            partition not in ranges
            or any(
                _overlaps(span, ranges[partition])
                for span in spans
                if span.group == group_of(defn, partition)
            )
        )
    )
    if not suspects:
        return Plan(again, [])
    files = [key for partition in suspects for key in filled[partition]]
    engine.register_parquet("suspects", root, files, defn.columns, defn.partition_by)
    depth = len(defn.partition_by)
    rewrite: list[str] = list(again)
    bounds: list[Row] = []
    for row in engine.rows(sqlbuild.build_collisions_sql(defn, "suspects")):
        partition = sqlbuild.partition_name(defn.partition_by, row[:depth])
        low, high, hits = row[depth:]
        if int(str(hits)):
            rewrite.append(partition)
        if partition not in ranges:
            bounds.append((partition, low, high))
    engine.drop("suspects")
    return Plan(sorted(rewrite), bounds)


def widened(
    ranges: dict[str, tuple[int, int]], spans: Sequence[Span], found: Sequence[Row] = ()
) -> dict[str, tuple[int, int]]:
    """`ranges` grown to hold the batch's spans and the bounds `found` ((partition, low,
    high) rows, read from partitions that had none recorded)."""
    grown = dict(ranges)
    bounds = [(span.partition, span.low, span.high) for span in spans]
    bounds += [(str(row[0]), int(str(row[1])), int(str(row[2]))) for row in found]
    for partition, low, high in bounds:
        old_low, old_high = grown.get(partition, (low, high))
        grown[partition] = (min(old_low, low), max(old_high, high))
    return grown


def due_for_compaction(defn: SilverDef, bookmark: Bookmark, spans: Sequence[Span]) -> list[str]:
    """Partitions holding several files whose day is over (a later partition of the same group
    was just written) or that hold more than `MAX_PARTS` files."""
    if not spans:
        return []
    counts: dict[str, int] = {}
    base = f"{defn.path}/"
    for key in bookmark.files:
        if key.startswith(base):
            partition = key[len(base) :].rpartition("/")[0]
            counts[partition] = counts.get(partition, 0) + 1
    newest: dict[str, str] = {}
    for span in spans:
        newest[span.group] = max(newest.get(span.group, span.partition), span.partition)
    due = []
    for partition, count in sorted(counts.items()):
        later = newest.get(group_of(defn, partition), "")
        if count > MAX_PARTS or (count > 1 and partition < later):
            due.append(partition)
    return due


def compact(
    defn: SilverDef,
    store: ObjectStore,
    engine: Engine,
    lock: TableLock,
    bookmark: Bookmark,
    partitions: Sequence[str],
) -> Bookmark:
    """Rewrite each of `partitions` as one file (the same rows) and commit; return the
    bookmark (same version and change log, the new files' checksums)."""
    staging = staging_folder(defn.name, uuid.uuid4().hex)
    folders = [f"{defn.path}/{p}" for p in partitions]
    old = files_under(store, folders)
    engine.register_parquet("compacted", store.uri(), old, defn.columns, defn.partition_by)
    names = ", ".join(c.name for c in defn.all_columns)
    # in event-time order: each row group then holds a stretch of the day, and a reader of a
    # few hours (Gold after an append, `coinlake.transform.gold`) skips the others by their
    # statistics (unordered, the five row groups of a 600k-row day spanned 10 to 24 hours each)
    engine.write_partitioned(
        f"SELECT {names} FROM compacted",  # noqa: S608
        store.uri(),
        f"{staging}/table",
        [c.name for c in defn.partition_by],
        order_by=[c for c in (defn.time_column, defn.range_column) if c],
    )
    engine.drop("compacted")
    moves = staged_moves(store, f"{staging}/table", defn.path)
    compacted = dataclasses.replace(bookmark, files=dict(bookmark.files))
    compacted.with_files(folders, digests(store, moves))
    commit(store, lock, table_journal(defn.name, moves, old, compacted))
    logger.info("%s: compacted %d partitions (%d files)", defn.name, len(partitions), len(old))
    return compacted
