"""How a table is defined once: its schema, partitioning and SQL, in the Spark SQL dialect.

Every Silver and Gold table is one frozen definition (`SilverDef` or `GoldDef`) holding pure SQL
text written in Spark SQL (the dialect AWS Glue runs) and column types in Spark DDL. Engines run
the very same text: Spark as written, DuckDB after `engines.duckdb_dialect` transpiles it. The
SQL reads only from views the engine registers under fixed names and never does I/O itself:

- Silver `stage_sql` (and `objects_sql`, for unparsable objects) reads `bronze` (one row per
  Bronze object: `bronze_key` plus the envelope fields of `raw_schema`) and returns one row
  per record with typed columns, a `rule` column (the first validation rule the row fails,
  NULL when valid) and the raw fields as strings.
- Gold `sql` reads its source table's rows of the partitions being rebuilt, registered under
  the source's layer name: `silver` for a Silver source, `gold` for a Gold one (a daily table
  rolled up from an hourly one). A Gold table with `year_of` set keeps a year of its
  source's daily partitions in one partition (`year=YYYY`, see ADR 0005); its `sql` also
  returns that `year` value.

How SQL sees a table (the DuckDB view, the Athena/Glue table, `coinlake status`) is its `Table`:
`SilverDef.table`, `SilverDef.quarantine` and `GoldDef.table`. `coinlake.tables.catalog` finds
every definition; nothing else keeps a list of tables.

Portable functions an engine must provide besides standard Spark SQL (see ADR 0002):

- `timestamp_seconds(n)`, `timestamp_millis(n)` (Spark built-ins): unix seconds or
  milliseconds to a timestamp;
- `exact_div(a, b)`: a / b for decimals a >= 0 and b > 0 with at most 16 fractional digits and
  |a| < 1e21, rounded half-up to 8 decimal places, as DECIMAL(38,8); NULL when b = 0.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from sqlglot import exp

from coinlake.storage.layout import quarantine_path, table_path


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: name, Spark DDL type (`decimal(18,8)`, `timestamp`, `bigint`...) and
    what it means to a person (`coinlake describe`, docs/tables.md)."""

    name: str
    type: str
    doc: str = ""


def columns(*specs: tuple[str, str] | tuple[str, str, str]) -> tuple[Column, ...]:
    """Columns from (name, type) or (name, type, meaning) tuples."""
    return tuple(Column(*spec) for spec in specs)


UNREADABLE_RULE = "unreadable_object"
"""Quarantine rule of a Bronze object that is not a readable envelope (`transform.unreadable`)."""
UNPARSABLE_RULE = "unparsable_response"
"""Quarantine rule of the record a definition's `objects_sql` gives an object whose body did not
parse (`meta.parse_error`)."""

QUARANTINE_PARTITION = Column(
    "date", "date", "UTC day the rejected row's Bronze object was fetched (partition key)"
)
"""Quarantine tables are partitioned by the Bronze object's fetch date."""
LINEAGE = "bronze_key"
"""The per-row lineage column: the lake key of the Bronze object a row came from."""
_QUARANTINE_FIXED = columns(
    ("rule", "string", "The validation rule the row failed"),
    ("detail", "string", "What was wrong, in words"),
    ("bronze_key", "string", "Lake key of the Bronze object the row came from (lineage)"),
    ("ingested_at", "timestamp", "When the Bronze object holding the row was fetched (UTC)"),
)


@dataclass(frozen=True, slots=True)
class Table:
    """A lake table as SQL sees it: the DuckDB view and the Athena/Glue table of that name."""

    name: str
    """Name inside the database, e.g. `silver_trades`."""
    path: str
    """Folder under the lake root, e.g. `silver/trades`."""
    columns: tuple[Column, ...]
    """Data columns in file order."""
    partition_by: tuple[Column, ...]
    """Hive partition columns, outermost first."""
    time_column: str | None = None
    """The event-time column `coinlake status` reports (None: no notion of freshness)."""
    key_column: str | None = None
    """The product or coin column, when the table has one."""
    comment: str = ""
    nullable: tuple[str, ...] = ()
    """Columns allowed to hold NULL (the quality checks require a value in every other one)."""
    written_by: str = ""
    """Who writes the table when no transform builds it ("" for a Silver or Gold definition's
    table; e.g. `coinlake quality` for `quality_results`)."""

    @property
    def layer(self) -> str:
        """`silver`, `gold` or `quarantine`."""
        return self.path.split("/", 1)[0]

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Data columns, then partition columns (the order engines expose them in)."""
        return self.columns + self.partition_by


def sql_name(definition_name: str) -> str:
    """The SQL table name of a definition: `silver.trades` -> `silver_trades`."""
    return definition_name.replace(".", "_")


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
    """Table name, e.g. `silver.trades` (its folder is `silver/trades`)."""
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
    quarantine_fields: tuple[Column, ...]
    """Raw string fields kept (besides rule, detail, bronze_key, ingested_at) in quarantine,
    with their meaning."""
    objects_sql: str | None = None
    """Spark SQL over `bronze` giving one record per unparsable object, columns as `stage_sql`,
    each rejected (`rule` a literal: the dedup reads valid rows from `stage_sql`'s records
    only). When set, `stage_sql` only explodes bodies and the runner runs this over the few
    objects that yielded no row (unparsable or empty), sparing a second scan of every object."""
    extra_inputs: tuple[SilverInput, ...] = ()
    """Further Bronze datasets, each staged by its own SQL and unioned with `stage_sql`."""
    time_column: str | None = None
    """The event-time column `coinlake status` reports."""
    key_column: str | None = None
    """The product or coin column."""
    comment: str = ""
    """One line for the SQL catalog (Athena/Glue table comment)."""
    nullable: tuple[str, ...] = ()
    """Columns allowed to hold NULL (the quality checks require a value in every other one)."""
    range_column: str | None = None
    """An integer key column (the other key columns being partition columns) whose bounds per
    partition the bookmark records: a batch whose values fall outside the bounds of every
    partition it touches cannot repeat a key already there, so its rows are appended as new
    files instead of rewriting the partitions (`coinlake.transform.append`). Needs
    `time_column`."""

    @property
    def path(self) -> str:
        """Folder under the lake root, e.g. `silver/trades`."""
        return table_path(self.name)

    @property
    def quarantine_path(self) -> str:
        """Folder of the rows rejected on their way here, e.g. `quarantine/trades`."""
        return quarantine_path(self.name)

    @property
    def bronze_prefixes(self) -> tuple[str, ...]:
        """Every Bronze folder whose objects feed the table."""
        return (self.bronze_prefix, *(extra.bronze_prefix for extra in self.extra_inputs))

    def input_for(self, key: str) -> SilverInput | None:
        """The extra input a Bronze key belongs to; None for the table's main dataset."""
        return next((i for i in self.extra_inputs if _under(key, i.bronze_prefix)), None)

    @property
    def table(self) -> Table:
        """The table as SQL sees it."""
        return _as_table(self)

    @property
    def quarantine(self) -> Table:
        """The table of rows rejected on their way here, with the rule each failed."""
        short = self.name.split(".", 1)[-1]
        return Table(
            f"quarantine_{short}",
            self.quarantine_path,
            self.quarantine_columns,
            (QUARANTINE_PARTITION,),
            time_column="ingested_at",
            comment=f"Rows rejected on their way to {sql_name(self.name)}, "
            "with the rule that failed",
            nullable=tuple(c.name for c in self.quarantine_columns if c.name != "rule"),
        )

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Data columns followed by partition columns."""
        return self.columns + self.partition_by

    @property
    def quarantine_columns(self) -> tuple[Column, ...]:
        """The quarantine table's data columns (partitioned by `date`, the fetch date)."""
        return _QUARANTINE_FIXED + self.quarantine_fields


YEAR_PARTITION = Column("year", "string", "UTC year of the rows, YYYY (partition key)")
"""The partition column of a Gold table that groups its source's daily partitions by year."""


def year_of_day(day: str) -> str:
    """The `year` partition value of a `date` partition value: `2026-11-22` -> `2026`."""
    return day[:4]


@dataclass(frozen=True, slots=True)
class GoldDef:
    """A Gold table aggregated from one Silver table or from another Gold table."""

    name: str
    """Table name, e.g. `gold.trades_hourly` (its folder is `gold/trades_hourly`)."""
    source: SilverDef | GoldDef
    """The table it reads (registered as the view named by `source_view`)."""
    sql: str
    """Spark SQL over `source_view` returning `columns` then `partition_by` columns."""
    columns: tuple[Column, ...]
    """Data columns in file order."""
    partition_by: tuple[Column, ...] = field(default=())
    """Hive partition columns: the leading columns of the source's partition columns, whose
    values select which source rows rebuild a partition; with `year_of`, those columns but
    the source's day column, then `YEAR_PARTITION`."""
    year_of: str | None = None
    """The source's daily partition column (`date`) whose days one `year` partition holds.
    That column is then also a data column of the table, holding the same day, and a run
    recomputes only the source's changed days and merges them with the partition's other
    rows (ADR 0005)."""
    time_column: str | None = None
    """The event-time column `coinlake status` reports."""
    key_column: str | None = None
    """The product or coin column."""
    comment: str = ""
    """One line for the SQL catalog (Athena/Glue table comment)."""
    nullable: tuple[str, ...] = ()
    """Columns allowed to hold NULL (the quality checks require a value in every other one)."""

    @property
    def path(self) -> str:
        """Folder under the lake root, e.g. `gold/trades_hourly`."""
        return table_path(self.name)

    def __post_init__(self) -> None:
        names = [c.name for c in self.partition_by]
        source = [c.name for c in self.source.partition_by]
        if self.year_of is None:
            wanted = source[: len(names)]
        elif self.year_of in source and self.year_of in {c.name for c in self.columns}:
            wanted = [*source[: source.index(self.year_of)], YEAR_PARTITION.name]
        else:
            wanted = None
        if names != wanted:
            # a partition the source's changed partitions cannot name would never be rewritten
            raise TypeError(
                f"{self.name}: partition columns {names} must be leading partition columns of "
                f"{self.source.name} ({source}), or with year_of the ones before that day "
                "column, then `year` (the day then a data column)"
            )

    @property
    def source_view(self) -> str:
        """The view `sql` reads the source rows from: the source's layer, `silver` or `gold`."""
        return self.source.path.split("/", 1)[0]

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Data columns followed by partition columns."""
        return self.columns + self.partition_by

    @property
    def table(self) -> Table:
        """The table as SQL sees it."""
        return _as_table(self)

    def partition_of(self, source_partition: str) -> str:
        """The partition holding the rows made from a source partition (`a=1/b=2`): its
        leading levels, with a `year_of` day replaced by its year."""
        if self.year_of is None:
            return "/".join(source_partition.split("/")[: len(self.partition_by)])
        levels = dict(part.split("=", 1) for part in source_partition.split("/"))
        kept = [f"{c.name}={levels[c.name]}" for c in self.partition_by if c.name in levels]
        return "/".join([*kept, f"{YEAR_PARTITION.name}={year_of_day(levels[self.year_of])}"])


def _under(key: str, prefix: str) -> bool:
    return key.startswith(prefix.rstrip("/") + "/")


def _as_table(definition: SilverDef | GoldDef) -> Table:
    return Table(
        sql_name(definition.name),
        definition.path,
        definition.columns,
        definition.partition_by,
        definition.time_column,
        definition.key_column,
        definition.comment,
        definition.nullable,
    )


@functools.lru_cache(maxsize=512)
def type_in(type_: str, dialect: str) -> str:
    """A Spark DDL type spelled for `dialect` (`timestamp` is TIMESTAMPTZ in DuckDB): the one
    type mapper, used by the engines and the DuckDB views alike."""
    return exp.DataType.build(type_, dialect="spark").sql(dialect=dialect)
