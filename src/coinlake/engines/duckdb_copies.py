"""How the DuckDB engine writes Hive-partitioned Parquet: one partitioned `COPY`, or, given the
partitions a query's rows lie in, one `COPY` per partition, several at a time.

The partitioned `COPY` first copies every row into a buffer per partition, then writes them: on
the benchmark's 2M-trade batches (10 partitions) writing each partition straight from a filtered
scan took ~0.65x its CPU, and a run's peak memory fell by a fifth. One such `COPY` keeps about
one core busy, so they run side by side on cursors of the same database (`run_side_by_side`).
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coinlake.engines.duckdb_dialect import quote
from coinlake.errors import QueryFailedError

if TYPE_CHECKING:
    import duckdb

logger = logging.getLogger(__name__)

PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd"
"""How every Silver and Gold file is written (ADR 0004)."""

SPLIT_PARTITIONS = 64
"""A write given its `partitions` goes one partition at a time when there are at most this many
(each `COPY` scans the query once; past this a batch's partitions are small and many, and one
partitioned `COPY` is cheaper). Run two at a time, the copies beat the partitioned `COPY` on the
benchmark's 1M lake too (one batch, 50 partitions of 20k rows: ~0.87x the wall time, peak RSS
0.38 -> 0.28 GB)."""

Split = list[list[tuple[str, str]]] | None
"""The partitions to write one at a time, each as its (column, value) levels; None: all at once."""

_PLAIN = re.compile(r"[A-Za-z0-9._:-]+")
"""Partition values a partitioned `COPY` writes into folder names as they are."""


def _levels(partition: str) -> list[tuple[str, str]] | None:
    """(column, value) of each level of a Hive path, or None when a value is not plain text
    (or is the text of a NULL: a filter on it would not find the rows the folder holds)."""
    levels = [level.partition("=") for level in partition.split("/")]
    for _name, sep, value in levels:
        if not sep or not _PLAIN.fullmatch(value) or value in ("None", "NULL"):
            return None
    return [(name, value) for name, _, value in levels]


def plan_split(partitions: Sequence[str] | None, order_by: Sequence[str]) -> Split:
    """The partitions to write one by one: all of `partitions` when there are at most
    `SPLIT_PARTITIONS`, no order is asked for, and every value can be filtered on; else None."""
    if partitions is None or len(partitions) > SPLIT_PARTITIONS or order_by:
        return None
    found = [_levels(partition) for partition in partitions]
    split = [levels for levels in found if levels is not None]
    return split if len(split) == len(found) else None


def partitioned_copy_sql(query: str, target: Path, partition_by: Sequence[str]) -> str:
    """The one `COPY` writing `query` under `target` partitioned by `partition_by`."""
    parts = ", ".join(partition_by)
    return (
        f"COPY ({query}) TO {quote(str(target))} "
        f"({PARQUET_OPTIONS}, PARTITION_BY ({parts}), "
        "OVERWRITE_OR_IGNORE true, FILENAME_PATTERN 'part-{uuid}')"
    )


def copy_each(
    con: duckdb.DuckDBPyConnection,
    threads: int,
    query: str,
    target: Path,
    partition_by: Sequence[str],
    split: list[list[tuple[str, str]]],
) -> int:
    """Write each partition of `split` with a `COPY` of its own, up to `threads` at once:
    `query` filtered on the partition's values (DuckDB casts the text to the column's type), to
    one file in the folder the partitioned `COPY` would use; a partition that gets no row gets
    no file. Returns the rows written."""
    copies: list[tuple[str, Path]] = []
    excluded = ", ".join(partition_by)
    for levels in split:
        if [name for name, _ in levels] != list(partition_by):
            raise QueryFailedError(f"partition {levels} is not one of {list(partition_by)}")
        folder = target.joinpath(*(f"{name}={value}" for name, value in levels))
        folder.mkdir(parents=True, exist_ok=True)
        where = " AND ".join(f"{name} = {quote(value)}" for name, value in levels)
        out = folder / f"part-{uuid.uuid4()}.parquet"
        sql = (
            f"COPY (SELECT * EXCLUDE ({excluded}) FROM ({query}) AS q WHERE {where}) "  # noqa: S608
            f"TO {quote(str(out))} ({PARQUET_OPTIONS})"
        )
        copies.append((sql, out))
    counts = run_side_by_side(con, threads, [sql for sql, _ in copies])
    for (_sql, out), rows in zip(copies, counts, strict=True):
        if not rows:  # folders are removed once every copy is done: none is being filled
            out.unlink(missing_ok=True)
            folder = out.parent
            while folder != target and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
    logger.debug("wrote %d rows in %d partitions under %s", sum(counts), len(split), target)
    return sum(counts)


def run_side_by_side(
    con: duckdb.DuckDBPyConnection, threads: int, statements: Sequence[str]
) -> list[int]:
    """Run `statements` (each returning one count), up to `threads` at once on cursors of
    `con`'s database (they see its tables, views, types and macros; not its session settings,
    hence the time zone), and return their counts in order. Measured on 2M trades in 10
    partitions: 0.6x the wall time of running them one after the other, the same CPU."""
    counts = [0] * len(statements)
    failures: list[str] = []
    pending = iter(range(len(statements)))
    lock = threading.Lock()

    def work() -> None:
        cursor = con.cursor()
        try:
            cursor.execute("SET TimeZone = 'UTC'")
            while not failures:
                with lock:
                    number = next(pending, None)
                if number is None:
                    return
                row = cursor.execute(statements[number]).fetchone()
                counts[number] = int(row[0]) if row else 0
        except Exception as exc:  # any failure fails the write: no count is taken as 0
            failures.append(f"DuckDB failed: {exc}")
        finally:
            cursor.close()

    workers = [threading.Thread(target=work) for _ in range(max(1, min(threads, len(statements))))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise QueryFailedError(failures[0])
    return counts
