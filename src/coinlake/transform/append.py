"""Appending a Silver batch to its partitions instead of rewriting them, and compaction.

A batch normally rewrites every partition it touches: the new rows and the rows already there,
deduplicated together. That costs the size of the partition, so a run every few minutes into
today's partition grows with the day. For a table with a `range_column` (trades: `trade_id`,
the key's only column that is not a partition column) the bookmark records, per partition,
bounds that contain every value of that column there (`Bookmark.ranges`). When the batch's
values for each group of partitions (trades: one product) lie outside the bounds of every
partition of that group it touches, no new row can share a key with a row already there: the
result of the rewrite would be the old rows plus the batch deduplicated on its own. The batch
is then written as new part files beside the old ones (an append); otherwise it falls back to
the rewrite. Either way the same rows result.

An append leaves partitions with several files. A partition is compacted (its files read and
written again as one, in a commit of its own that changes no row and no version) once a later
partition of its group is written (its day is over) or once it holds more than `MAX_PARTS`
files. Ids of re-fetched or late pages fall inside the bounds and take the rewrite path,
which leaves one file too.
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
from coinlake.tables.spec import SilverDef
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


def read_touched(engine: Engine, defn: SilverDef) -> tuple[list[str], list[Span]]:
    """(partitions the staged valid rows touch, their spans; no spans without `range_column`)."""
    depth = len(defn.partition_by)
    if defn.range_column is None:
        rows = engine.rows(sqlbuild.build_touched_sql(defn))
        return sorted(sqlbuild.partition_name(defn.partition_by, row) for row in rows), []
    spans = [_span(defn, row, depth) for row in engine.rows(sqlbuild.build_spans_sql(defn))]
    return sorted(span.partition for span in spans), spans


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


def can_append(ranges: dict[str, tuple[int, int]], spans: Sequence[Span], filled: set[str]) -> bool:
    """True when no row of the batch can share a key with a row of a partition it touches
    that already holds files (`filled`): each such partition has recorded bounds, and the
    batch's values for its group lie wholly outside them."""
    if not spans:
        return False
    hull: dict[str, tuple[int, int]] = {}
    for span in spans:
        low, high = hull.get(span.group, (span.low, span.high))
        hull[span.group] = (min(low, span.low), max(high, span.high))
    for span in spans:
        if span.partition not in filled:
            continue
        if span.partition not in ranges:
            return False  # written before bounds were recorded: rewrite once, which records them
        low, high = ranges[span.partition]
        new_low, new_high = hull[span.group]
        if new_low <= high and low <= new_high:
            return False
    return True


def widened(
    ranges: dict[str, tuple[int, int]], spans: Sequence[Span], found: Sequence[Row] = ()
) -> dict[str, tuple[int, int]]:
    """`ranges` grown to hold the batch's spans and the bounds `found` (rows of partition
    values, low, high) read from partitions that had none recorded."""
    grown = dict(ranges)
    bounds = [(span.partition, span.low, span.high) for span in spans]
    for row in found:
        depth = len(row) - 2
        bounds.append((str(row[0]), int(str(row[depth])), int(str(row[depth + 1]))))
    for partition, low, high in bounds:
        old_low, old_high = grown.get(partition, (low, high))
        grown[partition] = (min(old_low, low), max(old_high, high))
    return grown


def read_missing_bounds(
    engine: Engine, defn: SilverDef, ranges: dict[str, tuple[int, int]], filled: set[str]
) -> list[Row]:
    """Bounds of the `filled` partitions that have none recorded, from the registered
    `existing` view (their rows): (partition path, low, high) rows."""
    if defn.range_column is None or not filled - set(ranges):
        return []
    cols = ", ".join(c.name for c in defn.partition_by)
    rng = defn.range_column
    sql = f"SELECT {cols}, MIN({rng}), MAX({rng}) FROM existing GROUP BY {cols}"  # noqa: S608
    depth = len(defn.partition_by)
    return [
        (sqlbuild.partition_name(defn.partition_by, row[:depth]), *row[depth:])
        for row in engine.rows(sql)
    ]


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
    engine.write_partitioned(
        f"SELECT {names} FROM compacted",  # noqa: S608
        store.uri(),
        f"{staging}/table",
        [c.name for c in defn.partition_by],
    )
    engine.drop("compacted")
    moves = staged_moves(store, f"{staging}/table", defn.path)
    compacted = dataclasses.replace(bookmark, files=dict(bookmark.files))
    compacted.with_files(folders, digests(store, moves))
    commit(store, lock, table_journal(defn.name, moves, old, compacted))
    logger.info("%s: compacted %d partitions (%d files)", defn.name, len(partitions), len(old))
    return compacted
