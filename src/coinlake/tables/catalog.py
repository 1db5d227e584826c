"""Every table of the lake, found in one place and looked up by name.

A table is one module under `coinlake.tables.silver` or `coinlake.tables.gold` that defines
`TABLE` (a `SilverDef` or a `GoldDef`). The catalog imports every such module once, so adding a
Gold table is adding one file under `tables/gold/`: the transforms run it (after its source),
the DuckDB views, the Athena DDL and `coinlake status` show it, with no other edit. A table no
transform builds (rows appended by another run, like `quality_results`) is a module under
`tables/gold/` whose `TABLE` is a plain `Table` with `written_by` set: queryable, never
transformed. A definition from outside the package (a plug-in's or a test's source) joins with
`register(definition)` and leaves with `unregister(name)`.

Order, which the transforms, the views, the DDL and the status report all follow: Silver
tables by module name (registered ones after), then Gold tables by module name with each one
after the table it reads (a Gold table may read another Gold table), then the appended tables,
then one quarantine table per Silver table.
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
    appended: tuple[Table, ...]
    sql: tuple[Table, ...]


_registered: dict[str, Definition] = {}


def _tables_in(package: ModuleType, kind: type[_D]) -> tuple[list[_D], list[Table]]:
    found: list[_D] = []
    appended: list[Table] = []
    layer = package.__name__.rpartition(".")[2]
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        table = getattr(module, "TABLE", None)
        if isinstance(table, Table) and table.written_by:
            if table.layer != layer:
                raise TypeError(f"{module.__name__}: a {layer} table's folder is under {layer}/")
            appended.append(table)
            continue
        if not isinstance(table, kind):
            raise TypeError(
                f"{module.__name__} must define TABLE as a {kind.__name__} "
                "(or a Table with written_by)"
            )
        if not table.name.startswith(f"{layer}."):
            raise TypeError(f"{module.__name__}: a {layer} table's name starts with {layer}.")
        found.append(table)
    return found, appended


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
    silvers, appended_silver = _tables_in(silver, SilverDef)
    golds, appended = _tables_in(gold, GoldDef)
    silvers += [d for d in _registered.values() if isinstance(d, SilverDef)]
    golds += [d for d in _registered.values() if isinstance(d, GoldDef)]
    appended = appended_silver + appended
    names = [t.name for t in silvers] + [t.name for t in golds] + [t.name for t in appended]
    if len(set(names)) != len(names):
        raise TypeError(f"two table modules define the same table name: {sorted(names)}")
    sql = (
        *(d.table for d in silvers),
        *(d.table for d in golds),
        *appended,
        *(d.quarantine for d in silvers),
    )
    return _Catalog(tuple(silvers), _in_run_order(silvers, golds), tuple(appended), sql)


def refresh() -> None:
    """Forget the tables found so far; the next call looks for table modules again."""
    _catalog.cache_clear()


def register(definition: Definition) -> Definition:
    """Add a Silver or Gold definition kept outside `coinlake.tables` (a plug-in source's
    Silver mapping, a test's table): it is then transformed, queryable and described like
    the built-in ones.

    Raises:
        ValueError: a table of that name is already in the catalog.
    """
    known = [d.name for d in silver_tables()] + [d.name for d in gold_tables()]
    if definition.name in known:
        raise ValueError(f"a table named {definition.name!r} is already in the catalog")
    _registered[definition.name] = definition
    refresh()
    return definition


def unregister(name: str) -> None:
    """Remove a definition added with `register` (no error when absent)."""
    _registered.pop(name, None)
    refresh()


def appended_tables() -> tuple[Table, ...]:
    """Tables no transform builds (rows appended by another run, e.g. `quality_results`)."""
    return _catalog().appended


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
    """Every queryable table: Silver, then Gold, then the appended ones, then quarantine."""
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
