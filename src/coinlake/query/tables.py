"""The queryable tables of the lake: names, locations, columns and partition keys.

This is the one place the query layer learns the Silver, Gold and quarantine schemas. Column types
are written in the Hive/Athena dialect (`decimal(18,8)`, `timestamp`, `bigint`, `string`, `date`)
and translated per engine by `duckdb_type`. Views (`views.py`), the Athena DDL (`ddl.py`),
`coinlake status` and the report all read `TABLES`; none of them spells a column type itself.

Every table is taken from its transform definition (`coinlake.silver.*`, `coinlake.gold.*`), so
column names and exact types have one source; a new transform is added to `TABLES` here, and
nothing else in `coinlake.query` changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from coinlake.errors import ConfigError
from coinlake.gold.prices_daily import GOLD_PRICES_DAILY as _GOLD_PRICES_DAILY_DEF
from coinlake.gold.trades_hourly import GOLD_TRADES_HOURLY as _GOLD_TRADES_HOURLY_DEF
from coinlake.quality.tables import RESULT_COLUMNS, RESULTS_PATH
from coinlake.silver.candles import SILVER_CANDLES as _SILVER_CANDLES_DEF
from coinlake.silver.prices import SILVER_PRICES as _SILVER_PRICES_DEF
from coinlake.silver.trades import SILVER_TRADES as _SILVER_TRADES_DEF
from coinlake.transform.definition import GoldDef, SilverDef

DATABASE = "coinlake"
"""Default Athena / Glue database (and DuckDB schema) holding the tables."""

PartitionKind = Literal["enum", "date", "injected"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name and Hive/Athena type."""

    name: str
    type: str


@dataclass(frozen=True, slots=True)
class Partition:
    """One Hive partition key of a table's folder layout (`key=value`)."""

    name: str
    type: str
    kind: PartitionKind
    """How Athena partition projection enumerates it: a date range or a list of values."""


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A lake table as every engine sees it."""

    name: str
    """Table name inside the database, e.g. `silver_trades`."""
    path: str
    """Folder under the lake root, e.g. `silver/trades`."""
    columns: tuple[Column, ...]
    partitions: tuple[Partition, ...]
    time_column: str | None = None
    """The event-time column used by `coinlake status` (None: no notion of freshness)."""
    key_column: str | None = None
    """The product or coin column, when the table has one."""
    comment: str = ""

    @property
    def layer(self) -> str:
        """`silver`, `gold` or `quarantine`."""
        return self.path.split("/", 1)[0]

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Data columns, then partition columns (the order engines expose them in)."""
        return self.columns + tuple(Column(p.name, p.type) for p in self.partitions)


_DATE = Partition("date", "date", "date")


def _from_definition(
    definition: SilverDef | GoldDef,
    *,
    name: str,
    time_column: str,
    key_column: str,
    comment: str,
) -> TableSpec:
    return TableSpec(
        name=name,
        path=definition.path,
        columns=tuple(Column(c.name, c.type) for c in definition.columns),
        partitions=tuple(
            Partition(c.name, c.type, "date" if c.type == "date" else "enum")
            for c in definition.partition_by
        ),
        time_column=time_column,
        key_column=key_column,
        comment=comment,
    )


def _quarantine_of(definition: SilverDef, table: str) -> TableSpec:
    return TableSpec(
        name=f"quarantine_{table}",
        path=definition.quarantine_path,
        columns=tuple(Column(c.name, c.type) for c in definition.quarantine_columns),
        partitions=(_DATE,),
        time_column="ingested_at",
        comment=f"Rows rejected on their way to silver_{table}, with the rule that failed",
    )


SILVER_TRADES = _from_definition(
    _SILVER_TRADES_DEF,
    name="silver_trades",
    time_column="trade_time",
    key_column="product_id",
    comment="Coinbase trades: typed, deduplicated on (product_id, trade_id)",
)

SILVER_PRICES = _from_definition(
    _SILVER_PRICES_DEF,
    name="silver_prices",
    time_column="last_updated_at",
    key_column="coin_id",
    comment="CoinGecko price observations",
)

SILVER_CANDLES = _from_definition(
    _SILVER_CANDLES_DEF,
    name="silver_candles",
    time_column="bucket_start",
    key_column="product_id",
    comment="Coinbase candles",
)

GOLD_TRADES_HOURLY = _from_definition(
    _GOLD_TRADES_HOURLY_DEF,
    name="gold_trades_hourly",
    time_column="hour",
    key_column="product_id",
    comment="Hourly OHLCV, VWAP and trade-id gaps per product",
)

GOLD_PRICES_DAILY = _from_definition(
    _GOLD_PRICES_DAILY_DEF,
    name="gold_prices_daily",
    time_column="day",
    key_column="coin_id",
    comment="Daily CoinGecko prices per coin and currency",
)

QUARANTINE_TRADES = _quarantine_of(_SILVER_TRADES_DEF, "trades")
QUARANTINE_PRICES = _quarantine_of(_SILVER_PRICES_DEF, "prices")
QUARANTINE_CANDLES = _quarantine_of(_SILVER_CANDLES_DEF, "candles")

QUALITY_RESULTS = TableSpec(
    name="quality_results",
    path=RESULTS_PATH,
    columns=tuple(Column(c.name, c.type) for c in RESULT_COLUMNS),
    partitions=(_DATE,),
    time_column="checked_at",
    comment="Data-quality check results, one row per check, partition and run (appended)",
)

TABLES: tuple[TableSpec, ...] = (
    SILVER_TRADES,
    SILVER_PRICES,
    SILVER_CANDLES,
    GOLD_TRADES_HOURLY,
    GOLD_PRICES_DAILY,
    QUALITY_RESULTS,
    QUARANTINE_TRADES,
    QUARANTINE_PRICES,
    QUARANTINE_CANDLES,
)
"""Every table, Silver first, then Gold, then quarantine."""


def table(name: str) -> TableSpec:
    """The table called `name` (`silver_trades` or `coinlake.silver_trades`).

    Raises:
        ConfigError: no such table; the message lists the known ones.
    """
    short = name.removeprefix(f"{DATABASE}.")
    for spec in TABLES:
        if spec.name == short:
            return spec
    known = ", ".join(spec.name for spec in TABLES)
    raise ConfigError(f"unknown table {name!r}; known tables: {known}")


_DECIMAL_RE = re.compile(r"^decimal\((\d+),(\d+)\)$")
_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    # Parquet timestamps written by the transforms are UTC instants; DuckDB reads them as
    # TIMESTAMP WITH TIME ZONE when the file says isAdjustedToUTC, plain TIMESTAMP otherwise.
    "timestamp": "TIMESTAMP",
}


def duckdb_type(hive_type: str) -> str:
    """The DuckDB spelling of a Hive/Athena column type."""
    match = _DECIMAL_RE.match(hive_type)
    if match:
        return f"DECIMAL({match.group(1)},{match.group(2)})"
    return _DUCKDB_TYPES[hive_type]
