"""The one adapter between the checks and the table catalog.

Everything the quality package knows about a table (its query name, folder, columns, partition
columns and which columns may hold NULL) is read off the catalog (`coinlake.tables.catalog`):
the definitions declare `nullable` beside their columns, so the checks never spell a column
type themselves. The results table, `quality_results`, is a catalog table too
(`coinlake/tables/gold/quality_results.py`), appended to here and never transformed.
"""

from __future__ import annotations

from dataclasses import dataclass

from coinlake.tables import catalog
from coinlake.tables.spec import Column, Table


@dataclass(frozen=True, slots=True)
class CheckedTable:
    """A lake table as the checks see it."""

    name: str
    """Query name and engine view name, e.g. `silver_trades`."""
    path: str
    """Folder under the lake root."""
    columns: tuple[Column, ...]
    """Data columns (partition columns excluded)."""
    partition_by: tuple[Column, ...]
    """Hive partition columns."""
    nullable: tuple[str, ...] = ()
    """Columns allowed to hold NULL (every other column must not)."""

    @property
    def required(self) -> tuple[str, ...]:
        """Columns that must never be NULL, partition columns included."""
        every = self.columns + self.partition_by
        return tuple(c.name for c in every if c.name not in self.nullable)

    def partition_sql(self, alias: str = "") -> str:
        """Spark SQL giving the Hive partition path of a row (`product_id=X/date=Y`)."""
        prefix = f"{alias}." if alias else ""
        if not self.partition_by:
            return "''"
        parts: list[str] = []
        for number, column in enumerate(self.partition_by):
            sep = "/" if number else ""
            parts.append(f"'{sep}{column.name}='")
            parts.append(f"CAST({prefix}`{column.name}` AS STRING)")
        return f"CONCAT({', '.join(parts)})"


def _checked(table: Table) -> CheckedTable:
    return CheckedTable(table.name, table.path, table.columns, table.partition_by, table.nullable)


def checked_tables() -> tuple[CheckedTable, ...]:
    """The tables checks read, registered under their query names: every catalog table the
    transforms build (Silver, Gold, quarantine), not the appended results."""
    appended = set(catalog.appended_tables())
    return tuple(_checked(t) for t in catalog.sql_tables() if t not in appended)


def quarantines() -> tuple[CheckedTable, ...]:
    """The quarantine tables."""
    return tuple(_checked(t) for t in catalog.sql_tables() if t.layer == "quarantine")


def table_named(name: str) -> CheckedTable | None:
    """The checked table called `name`, or None."""
    return next((t for t in checked_tables() if t.name == name), None)


TRADES = _checked(catalog.sql_table("silver_trades"))
PRICES = _checked(catalog.sql_table("silver_prices"))
CANDLES = _checked(catalog.sql_table("silver_candles"))
TRADES_HOURLY = _checked(catalog.sql_table("gold_trades_hourly"))
PRICES_DAILY = _checked(catalog.sql_table("gold_prices_daily"))
"""The built-in tables the built-in checks are written for."""

RESULTS = catalog.sql_table("quality_results")
"""`quality_results`, where every run's results are appended."""
RESULTS_PATH = RESULTS.path
"""Folder of the results table."""
RESULT_COLUMNS = RESULTS.columns
"""`gold/quality_results` data columns, in file order."""
RESULT_PARTITION = RESULTS.partition_by[0]
"""Results are partitioned by the UTC date of the run."""
