"""The one adapter between the checks and the table definitions.

Everything the quality package knows about a table (its query name, folder, columns, partition
columns and which columns may hold NULL) comes from here, read off the transform definitions
(`coinlake.silver.*`, `coinlake.gold.*`), so the checks never spell a column type themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from coinlake.gold.prices_daily import GOLD_PRICES_DAILY
from coinlake.gold.trades_hourly import GOLD_TRADES_HOURLY
from coinlake.silver.candles import SILVER_CANDLES
from coinlake.silver.prices import SILVER_PRICES
from coinlake.silver.trades import SILVER_TRADES
from coinlake.transform.definition import (
    QUARANTINE_PARTITION,
    Column,
    GoldDef,
    SilverDef,
    columns,
)


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


def _of(defn: SilverDef | GoldDef, name: str, nullable: tuple[str, ...] = ()) -> CheckedTable:
    return CheckedTable(name, defn.path, defn.columns, defn.partition_by, nullable)


TRADES = _of(SILVER_TRADES, "silver_trades")
PRICES = _of(SILVER_PRICES, "silver_prices", ("market_cap", "volume_24h", "change_24h_pct"))
CANDLES = _of(SILVER_CANDLES, "silver_candles")
TRADES_HOURLY = _of(GOLD_TRADES_HOURLY, "gold_trades_hourly")
PRICES_DAILY = _of(GOLD_PRICES_DAILY, "gold_prices_daily", ("market_cap", "volume_24h"))


def _quarantine(defn: SilverDef, name: str) -> CheckedTable:
    nullable = tuple(c.name for c in defn.quarantine_columns if c.name != "rule")
    return CheckedTable(
        name, defn.quarantine_path, defn.quarantine_columns, (QUARANTINE_PARTITION,), nullable
    )


QUARANTINES = (
    _quarantine(SILVER_TRADES, "quarantine_trades"),
    _quarantine(SILVER_PRICES, "quarantine_prices"),
    _quarantine(SILVER_CANDLES, "quarantine_candles"),
)

CHECKED_TABLES: tuple[CheckedTable, ...] = (
    TRADES,
    PRICES,
    CANDLES,
    TRADES_HOURLY,
    PRICES_DAILY,
    *QUARANTINES,
)
"""The tables checks read, registered under their query names."""

RESULTS_PATH = "gold/quality_results"
"""Folder of the results table."""
RESULT_COLUMNS = columns(
    ("check_name", "string"),
    ("table_name", "string"),
    ("partition_key", "string"),
    ("severity", "string"),
    ("passed", "boolean"),
    ("observed", "double"),
    ("threshold", "double"),
    ("sample", "string"),
    ("run_id", "string"),
    ("checked_at", "timestamp"),
)
"""`gold/quality_results` data columns, in file order."""
RESULT_PARTITION = Column("date", "date")
"""Results are partitioned by the UTC date of the run."""


def table_named(name: str) -> CheckedTable | None:
    """The checked table called `name`, or None."""
    return next((t for t in CHECKED_TABLES if t.name == name), None)
