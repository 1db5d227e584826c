"""How a transform is defined once: its schema, partitioning and SQL, in the Spark SQL dialect.

Every Silver and Gold table is one frozen definition (`SilverDef` or `GoldDef`) holding pure SQL
text written in Spark SQL (the dialect AWS Glue runs) and column types in Spark DDL. Engines run
the very same text: Spark as written, DuckDB after `to_dialect()` transpiles it with sqlglot. The
SQL reads only from views the engine registers under fixed names and never does I/O itself:

- Silver `stage_sql` (and `objects_sql`, for unparsable objects) reads `bronze` (one row per
  Bronze object: `bronze_key` plus the envelope fields of `raw_schema`) and returns one row
  per record with typed columns, a `rule` column (the first validation rule the row fails,
  NULL when valid) and the raw fields as strings.
- Gold `sql` reads `silver` (the upstream Silver rows of the partitions being rebuilt).

Portable functions an engine must provide besides standard Spark SQL (see ADR 0002):

- `timestamp_seconds(n)`, `timestamp_millis(n)` (Spark built-ins): unix seconds or
  milliseconds to a timestamp;
- `exact_div(a, b)`: a / b for decimals a >= 0 and b > 0 with at most 16 fractional digits and
  |a| < 1e21, rounded half-up to 8 decimal places, as DECIMAL(38,8); NULL when b = 0.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: name and Spark DDL type (`decimal(18,8)`, `timestamp`, `bigint`...)."""

    name: str
    type: str


def columns(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    """Columns from (name, type) pairs."""
    return tuple(Column(name, type_) for name, type_ in pairs)


@dataclass(frozen=True, slots=True)
class SilverInput:
    """A further Bronze dataset feeding a Silver table (e.g. CoinGecko history beside the
    snapshots): read with its own envelope schema, staged by its own SQL into exactly the
    columns, in the same order, that the table's `stage_sql` returns."""

    bronze_prefix: str
    raw_schema: tuple[Column, ...]
    stage_sql: str


@dataclass(frozen=True, slots=True)
class SilverDef:
    """A Silver table built from one Bronze dataset."""

    name: str
    """Table name, e.g. `silver.trades`."""
    path: str
    """Folder under the lake root, e.g. `silver/trades`."""
    bronze_prefix: str
    """Bronze folder whose objects feed the table."""
    raw_schema: tuple[Column, ...]
    """Envelope fields the engine reads from each Bronze object (besides `bronze_key`)."""
    stage_sql: str
    """Spark SQL over `bronze`: typed rows plus `rule`, `detail` and the quarantine fields."""
    columns: tuple[Column, ...]
    """Data columns in file order (partition columns excluded)."""
    partition_by: tuple[Column, ...]
    """Hive partition columns, outermost first."""
    key: tuple[str, ...]
    """Unique key across all runs."""
    winner_order: tuple[str, ...]
    """Among rows sharing a key, the first by this order is kept."""
    quarantine_fields: tuple[str, ...]
    """Raw string fields kept (besides rule, detail, bronze_key, ingested_at) in quarantine."""
    quarantine_path: str
    """Quarantine folder, e.g. `quarantine/trades`."""
    objects_sql: str | None = None
    """Spark SQL over `bronze` giving one record per unparsable object, columns as `stage_sql`.
    When set, `stage_sql` only explodes bodies and the runner runs this over the few objects
    that yielded no row (unparsable or empty), sparing a second scan of every object."""
    extra_inputs: tuple[SilverInput, ...] = ()
    """Further Bronze datasets, each staged by its own SQL and unioned with `stage_sql`."""

    @property
    def bronze_prefixes(self) -> tuple[str, ...]:
        """Every Bronze folder whose objects feed the table."""
        return (self.bronze_prefix, *(extra.bronze_prefix for extra in self.extra_inputs))

    def input_for(self, key: str) -> SilverInput | None:
        """The extra input a Bronze key belongs to; None for the table's main dataset."""
        return next((i for i in self.extra_inputs if key.startswith(f"{i.bronze_prefix}/")), None)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Data columns followed by partition columns."""
        return self.columns + self.partition_by

    @property
    def quarantine_columns(self) -> tuple[Column, ...]:
        """The quarantine table's data columns (partitioned by `date`, the fetch date)."""
        fixed = columns(
            ("rule", "string"),
            ("detail", "string"),
            ("bronze_key", "string"),
            ("ingested_at", "timestamp"),
        )
        return fixed + tuple(Column(name, "string") for name in self.quarantine_fields)


@dataclass(frozen=True, slots=True)
class GoldDef:
    """A Gold table aggregated from one Silver table."""

    name: str
    """Table name, e.g. `gold.trades_hourly`."""
    path: str
    """Folder under the lake root."""
    source: SilverDef
    """The Silver table it reads (registered as the view `silver`)."""
    sql: str
    """Spark SQL over `silver` returning `columns` then `partition_by` columns."""
    columns: tuple[Column, ...]
    """Data columns in file order."""
    partition_by: tuple[Column, ...] = field(default=())
    """Hive partition columns: a prefix-free subset of the source's partition columns, whose
    values select which Silver rows rebuild a partition."""

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Data columns followed by partition columns."""
        return self.columns + self.partition_by


QUARANTINE_PARTITION = Column("date", "date")
"""Quarantine tables are partitioned by the Bronze object's fetch date."""


@functools.lru_cache(maxsize=512)
def to_dialect(sql: str, dialect: str) -> str:
    """Transpile one Spark SQL statement to `dialect` (`spark` returns it unchanged; results
    are cached: the same few statements run once per batch)."""
    if dialect == "spark":
        return sql
    return sqlglot.transpile(sql, read="spark", write=dialect)[0]


@functools.lru_cache(maxsize=512)
def type_in(type_: str, dialect: str) -> str:
    """A Spark DDL type spelled for `dialect` (`timestamp` is TIMESTAMPTZ in DuckDB)."""
    return exp.DataType.build(type_, dialect="spark").sql(dialect=dialect)
