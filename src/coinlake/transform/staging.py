"""Staging a Silver batch: its Bronze objects read, typed and checked, as the engine's views.

`stage` makes `staged` (every record of the batch: the stage SQL's rows with their rule, one
record per unparsable object from the definition's objects SQL, one per object that cannot be
read at all) and `STAGED_ROWS` (the stage SQL's rows only), which the runner profiles, writes
deduplicated and quarantines from.
"""

from __future__ import annotations

import logging

from coinlake.engines.base import Engine
from coinlake.errors import QueryFailedError
from coinlake.storage.base import ObjectStore
from coinlake.tables.spec import Column, SilverDef
from coinlake.transform import sqlbuild
from coinlake.transform.dedup import STAGED_ROWS
from coinlake.transform.unreadable import Unreadable, find_unreadable

logger = logging.getLogger(__name__)


def stage(defn: SilverDef, store: ObjectStore, engine: Engine, keys: list[str]) -> list[str]:
    """Make `staged`: every record of the batch's objects, typed, with its rule, plus one
    quarantine record per object that cannot be read; and `STAGED_ROWS`. Returns the views it
    made."""
    inputs: list[tuple[list[str], tuple[Column, ...], str, str | None]] = [
        (
            [key for key in keys if defn.input_for(key) is None],
            defn.raw_schema,
            defn.stage_sql,
            defn.objects_sql,
        )
    ]
    for extra in defn.extra_inputs:
        extra_keys = [key for key in keys if defn.input_for(key) is extra]
        if extra_keys:
            inputs.append((extra_keys, extra.raw_schema, extra.stage_sql, None))
    parts: list[str] = []
    made: list[str] = []
    unreadable: list[Unreadable] = []
    for number, (input_keys, schema, stage_sql, objects_sql) in enumerate(inputs):
        if number and not input_keys:
            continue
        name = f"staged_part_{number}"
        made += [name, f"{name}_rows", f"{name}_objects"]
        unreadable += _stage_input(
            store, engine, input_keys, (schema, stage_sql, objects_sql), name
        )
        parts.append(name)
    rows = [f"{name}_rows" for name in parts]
    if unreadable:
        engine.materialize("staged_unreadable", sqlbuild.build_unreadable_sql(defn, unreadable))
        parts.append("staged_unreadable")
        made.append("staged_unreadable")
    engine.view("staged", sqlbuild.build_staged_union_sql(defn, parts))
    engine.view(STAGED_ROWS, sqlbuild.build_staged_union_sql(defn, rows))
    return ["staged", STAGED_ROWS, *made, "bronze"]


def _stage_input(
    store: ObjectStore,
    engine: Engine,
    keys: list[str],
    sql: tuple[tuple[Column, ...], str, str | None],
    name: str,
) -> list[Unreadable]:
    """Make view `name`: the records of one Bronze dataset's objects (`sql` is its envelope
    schema, stage SQL and objects SQL). Objects that cannot be read are left out and returned:
    DuckDB fails the read on them (they are then looked for among all `keys`), Spark reads them
    as NULLs that give no row (they are looked for among the objects that gave none)."""
    schema, stage_sql, objects_sql = sql
    rows = f"{name}_rows"
    unreadable: list[Unreadable] = []
    try:
        engine.register_bronze("bronze", store.uri(), keys, schema)
        engine.materialize(rows, stage_sql)
    except QueryFailedError:
        unreadable = find_unreadable(store, keys)
        if not unreadable:
            raise
        bad = {item.key for item in unreadable}
        logger.warning("%d Bronze objects cannot be read; quarantined", len(bad))
        keys = [key for key in keys if key not in bad]
        engine.register_bronze("bronze", store.uri(), keys, schema)
        engine.materialize(rows, stage_sql)
    seen = {str(row[0]) for row in engine.rows(f"SELECT DISTINCT bronze_key FROM {rows}")}  # noqa: S608
    silent = [key for key in keys if key not in seen]  # empty, unparsable or unreadable: a few
    more = find_unreadable(store, silent)
    unreadable += more
    silent = sorted(set(silent) - {item.key for item in more})
    if objects_sql is None or not silent:
        engine.view(name, f"SELECT * FROM {rows}")  # noqa: S608
        return unreadable
    engine.register_bronze("bronze", store.uri(), silent, schema)
    engine.materialize(f"{name}_objects", objects_sql)
    engine.view(name, f"SELECT * FROM {rows} UNION ALL SELECT * FROM {name}_objects")  # noqa: S608
    return unreadable
