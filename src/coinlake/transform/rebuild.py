"""Rebuild one partition of one table from its inputs: `transform --full-refresh --partition`.

The repair for a damaged Parquet file (`coinlake verify` names its partition folder): the
partition's files are replaced by new ones computed from what the table already consumed,
through the same staging, commit journal and bookmark as any run. Nothing else is touched and
nothing new is consumed (new Bronze objects wait for the next ordinary run).

- A Gold partition (`gold/trades_hourly/product_id=BTC-USD/year=2026`) is aggregated again
  from the Silver rows of that partition (every day of that year).
- A Silver partition (`silver/trades/product_id=BTC-USD/date=2026-11-22`) is staged again from
  every Bronze object the table consumed (those of other products skipped by their key) and
  only its rows are kept, deduplicated as usual.
- A quarantine partition (`quarantine/trades/date=2026-11-22`, the fetch date) is staged again
  from the consumed objects fetched that day.

Silver and Gold partitions rebuilt are logged in the bookmark's change log, so the Gold tables
built on them catch up on their next run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from coinlake.engines.base import Engine
from coinlake.errors import ConfigError
from coinlake.storage.base import ObjectStore
from coinlake.storage.layout import staging_folder
from coinlake.tables.spec import QUARANTINE_PARTITION, Column, GoldDef, SilverDef
from coinlake.transform import sqlbuild
from coinlake.transform.batches import MAX_BATCH_OBJECTS, plan_batches
from coinlake.transform.commit import (
    digests,
    files_under,
    staged_moves,
    start_table,
    table_journal,
)
from coinlake.transform.gold import gold_inputs
from coinlake.transform.runner import TableSummary
from coinlake.transform.staging import stage
from coinlake.transform.state import apply_journal, read_bookmark, write_journal
from coinlake.transform.table_lock import TableLock, hold_table
from coinlake.transform.unreadable import fetch_date_of


def parse_partition(
    folder: str, tables: Sequence[SilverDef | GoldDef]
) -> tuple[SilverDef | GoldDef, bool, dict[str, str]]:
    """(table, is its quarantine, {column: value}) of a partition folder.

    Raises:
        ConfigError: no table has that folder, or the partition is not one of its own.
    """
    text = folder.strip("/")
    for table in tables:
        quarantine = isinstance(table, SilverDef) and text.startswith(f"{table.quarantine_path}/")
        if not quarantine and not text.startswith(f"{table.path}/"):
            continue
        base = table.quarantine_path if isinstance(table, SilverDef) and quarantine else table.path
        parts = text[len(base) + 1 :].split("/")
        wanted = [QUARANTINE_PARTITION] if quarantine else list(table.partition_by)
        values = dict(part.split("=", 1) for part in parts if "=" in part)
        if len(parts) != len(wanted) or [c.name for c in wanted] != list(values):
            spelled = "/".join(f"{c.name}=..." for c in wanted)
            raise ConfigError(f"--partition {folder!r}: a partition of {base} is {base}/{spelled}")
        return table, quarantine, values
    known = ", ".join(t.path for t in tables)
    raise ConfigError(f"--partition {folder!r}: not a partition folder of a table ({known})")


def _predicate(columns: Sequence[Column], values: dict[str, str]) -> str:
    return " AND ".join(
        f"`{c.name}` = CAST('{values[c.name].replace(chr(39), '')}' AS {c.type})" for c in columns
    )


def _silver_inputs(
    defn: SilverDef, store: ObjectStore, quarantine: bool, values: dict[str, str]
) -> list[str]:
    """The consumed Bronze keys that may hold rows of the partition."""
    keys = sorted(read_bookmark(store, defn.name).consumed_keys())
    if quarantine:
        day = values["date"]
        return [k for k in keys if fetch_date_of(k).isoformat() in (day, "1970-01-01")]
    product = values.get("product_id")
    if product is None:
        return keys
    return [k for k in keys if "/product=" not in k or f"/product={product}/" in k]


def rebuild_partition(
    folder: str, tables: Sequence[SilverDef | GoldDef], store: ObjectStore, engine: Engine
) -> TableSummary:
    """Replace the files of the partition at `folder` with ones computed from its inputs.

    Raises:
        ConfigError: `folder` is not a partition folder of one of `tables`.
        LeaseHeldError: a run of the partition's table is in progress (nothing was touched).
    """
    table, quarantine, values = parse_partition(folder, tables)
    # the same lease as a run of the table: both stage under its folder and commit its bookmark
    with hold_table(store, table.name) as lock:
        return _rebuild(table, quarantine, values, folder, store, engine, lock)


def _rebuild(
    table: SilverDef | GoldDef,
    quarantine: bool,
    values: dict[str, str],
    folder: str,
    store: ObjectStore,
    engine: Engine,
    lock: TableLock,
) -> TableSummary:
    started = time.perf_counter()
    summary = TableSummary(table.name, full_refresh=True)
    summary.recovered, staging = start_table(store, table.name)
    bookmark = read_bookmark(store, table.name)
    name = "/".join(f"{k}={v}" for k, v in values.items())
    if isinstance(table, GoldDef):
        inputs = gold_inputs(store, table, {name})
        engine.register_parquet(
            table.source_view, store.uri(), inputs, table.source.columns, table.source.partition_by
        )
        summary.objects_read = len(inputs)
        summary.rows_written = engine.write_partitioned(
            table.sql, store.uri(), f"{staging}/table", [c.name for c in table.partition_by]
        )
        engine.drop(table.source_view)
        old = files_under(store, [f"{table.path}/{name}"])
        moves = staged_moves(store, f"{staging}/table", table.path)
    else:
        keys = _silver_inputs(table, store, quarantine, values)
        kept: list[str] = []
        for number, batch in enumerate(plan_batches(keys, MAX_BATCH_OBJECTS) or [[]]):
            views = stage(table, store, engine, batch)
            where = (
                f"TO_DATE(ingested_at) = DATE '{values['date']}'"
                if quarantine
                else _predicate(table.partition_by, values)
            )
            engine.materialize(f"rebuilt_{number}", f"SELECT * FROM staged WHERE {where}")  # noqa: S608
            kept.append(f"rebuilt_{number}")
            for view in views:
                engine.drop(view)
        summary.objects_read = len(keys)
        union = " UNION ALL ".join(f"SELECT * FROM {v}" for v in kept)  # noqa: S608
        engine.view("staged", union)
        target = table.quarantine_path if quarantine else table.path
        existing = "existing_quarantine" if quarantine else "existing"
        columns = table.quarantine_columns if quarantine else table.columns
        by = (QUARANTINE_PARTITION,) if quarantine else table.partition_by
        engine.register_parquet(existing, store.uri(), [], columns, by)
        sql = (
            sqlbuild.build_quarantine_sql(table) if quarantine else sqlbuild.build_dedup_sql(table)
        )
        summary.rows_written = engine.write_partitioned(
            sql, store.uri(), f"{staging}/table", [c.name for c in by]
        )
        for view in ("staged", existing, *kept):
            engine.drop(view)
        old = files_under(store, [f"{target}/{name}"])
        moves = staged_moves(store, f"{staging}/table", target)
    # only the partition asked for is moved in (a row of another one cannot be staged here, but
    # the check is cheap and keeps a rebuild from ever touching a neighbour)
    moves = [(a, b) for a, b in moves if b.startswith(f"{folder.strip('/')}/")]
    changed = [] if quarantine else [name]
    next_bookmark = bookmark.advanced(partitions=changed, full=False)
    next_bookmark.with_files([folder.strip("/")], digests(store, moves))
    lock.before_commit()
    journal = table_journal(table.name, moves, old, next_bookmark)
    write_journal(store, journal)
    apply_journal(store, journal)
    store.delete_folder(staging_folder(table.name))
    summary.partitions_rewritten = 1
    summary.seconds = time.perf_counter() - started
    return summary
