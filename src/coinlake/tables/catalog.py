"""Every table of the lake, found in one place and looked up by name.

A table is one module under `coinlake.tables.silver` or `coinlake.tables.gold` that defines
`TABLE` (a `SilverDef` or a `GoldDef`). The catalog imports every such module once, so adding a
Gold table is adding one file under `tables/gold/`: the transforms run it (after its source),
the DuckDB views, the Athena DDL and `coinlake status` show it, with no other edit.

Order, which the transforms, the views, the DDL and the status report all follow: Silver
tables by module name, then Gold tables by module name with each one after the table it reads
(a Gold table may read another Gold table), then one quarantine table per Silver table.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType
from typing import TypeVar

from coinlake.errors import ConfigError
from coinlake.tables import gold, silver
from coinlake.tables.spec import GoldDef, SilverDef, Table

DATABASE = "coinlake"
"""Default Athena / Glue database (and DuckDB schema) holding the tables."""

Definition = SilverDef | GoldDef
_D = TypeVar("_D", SilverDef, GoldDef)


@dataclass(frozen=True, slots=True)
class _Catalog:
    silver: tuple[SilverDef, ...]
    gold: tuple[GoldDef, ...]
    sql: tuple[Table, ...]


def _tables_in(package: ModuleType, kind: type[_D]) -> list[_D]:
    found: list[_D] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        table = getattr(module, "TABLE", None)
        if not isinstance(table, kind):
            raise TypeError(f"{module.__name__} must define TABLE as a {kind.__name__}")
        layer = package.__name__.rpartition(".")[2]
        if not table.name.startswith(f"{layer}."):
            raise TypeError(f"{module.__name__}: a {layer} table's name starts with {layer}.")
        found.append(table)
    return found


def _in_run_order(silvers: list[SilverDef], golds: list[GoldDef]) -> tuple[GoldDef, ...]:
    """Gold tables, each after the table it reads (a stable topological order)."""
    ready = {s.name for s in silvers}
    ordered: list[GoldDef] = []
    waiting = list(golds)
    while waiting:
        placeable = [g for g in waiting if g.source.name in ready]
        if not placeable:
            names = ", ".join(f"{g.name} (reads {g.source.name})" for g in waiting)
            raise TypeError(f"Gold tables whose source is not in the catalog: {names}")
        ordered.extend(placeable)
        ready.update(g.name for g in placeable)
        waiting = [g for g in waiting if g not in placeable]
    return tuple(ordered)


@functools.cache
def _catalog() -> _Catalog:
    silvers = _tables_in(silver, SilverDef)
    golds = _tables_in(gold, GoldDef)
    names = [t.name for t in silvers] + [t.name for t in golds]
    if len(set(names)) != len(names):
        raise TypeError(f"two table modules define the same table name: {sorted(names)}")
    sql = (
        *(d.table for d in silvers),
        *(d.table for d in golds),
        *(d.quarantine for d in silvers),
    )
    return _Catalog(tuple(silvers), _in_run_order(silvers, golds), sql)


def refresh() -> None:
    """Forget the tables found so far; the next call looks for table modules again."""
    _catalog.cache_clear()


def silver_tables() -> tuple[SilverDef, ...]:
    """Every Silver table, in run order."""
    return _catalog().silver


def gold_tables() -> tuple[GoldDef, ...]:
    """Every Gold table, in run order (each after its source)."""
    return _catalog().gold


def definition(name: str) -> Definition:
    """The Silver or Gold definition called `name` (`silver.trades`).

    Raises:
        ConfigError: no such table; the message lists the known ones.
    """
    known: list[Definition] = [*silver_tables(), *gold_tables()]
    for found in known:
        if found.name == name:
            return found
    names = ", ".join(d.name for d in known)
    raise ConfigError(f"unknown table {name!r}; known tables: {names}")


def sql_tables() -> tuple[Table, ...]:
    """Every queryable table: Silver, then Gold, then quarantine."""
    return _catalog().sql


def sql_table(name: str) -> Table:
    """The queryable table called `name` (`silver_trades` or `coinlake.silver_trades`).

    Raises:
        ConfigError: no such table; the message lists the known ones.
    """
    short = name.removeprefix(f"{DATABASE}.")
    tables = sql_tables()
    for found in tables:
        if found.name == short:
            return found
    known = ", ".join(t.name for t in tables)
    raise ConfigError(f"unknown table {name!r}; known tables: {known}")
