"""`CREATE EXTERNAL TABLE` for Athena / the Glue Data Catalog (and Spark SQL with Hive support).

Pure builders: they take table specs and options and return SQL text. With partition projection
(the default) Athena computes partition locations from table properties, so new folders are
queryable at once with no crawler and no `MSCK REPAIR TABLE`
(https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html). `projection=False`
gives the plain Hive DDL followed by `MSCK REPAIR TABLE`, which also runs in Spark SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from coinlake.errors import ConfigError
from coinlake.tables import catalog
from coinlake.tables.catalog import DATABASE
from coinlake.tables.spec import YEAR_PARTITION, Column, Table, year_of_day

PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
FIRST_DATE = "2015-01-01"
"""Lower bound of projected dates: Coinbase Exchange trades start in 2015."""

KeyProjection = Literal["enum", "injected"]


@dataclass(frozen=True, slots=True)
class DdlOptions:
    """What varies between deployments of the same tables."""

    location: str
    """Lake root: `s3://bucket/prefix` for Athena, a folder or `file:/...` URI for Spark."""
    database: str = DATABASE
    projection: bool = True
    products: Sequence[str] = ("BTC-USD", "ETH-USD", "SOL-USD")
    """Values of the `product_id` enum projection."""
    coins: Sequence[str] = ("bitcoin", "ethereum", "solana")
    """Values of the `coin_id` enum projection."""
    key_projection: KeyProjection = "enum"
    """`injected` lets any product or coin through, but every query must filter it with `=`."""
    first_date: str = FIRST_DATE
    extra_properties: dict[str, str] = field(default_factory=dict)


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ident(name: str) -> str:
    return f"`{name}`"


def table_location(spec: Table, options: DdlOptions) -> str:
    """The table's folder URI, with a trailing slash as Athena expects."""
    return f"{options.location.rstrip('/')}/{spec.path}/"


def _projection_properties(spec: Table, options: DdlOptions) -> list[tuple[str, str]]:
    props = [("projection.enabled", "true")]
    for part in spec.partition_by:
        props.extend(_partition_projection(part, options))
    template = "/".join(f"{p.name}=${{{p.name}}}" for p in spec.partition_by)
    props.append(("storage.location.template", f"{table_location(spec, options)}{template}/"))
    return props


def _partition_projection(part: Column, options: DdlOptions) -> list[tuple[str, str]]:
    prefix = f"projection.{part.name}"
    if part == YEAR_PARTITION:  # a year of days (ADR 0005): a date projection by years
        return [
            (f"{prefix}.type", "date"),
            (f"{prefix}.format", "yyyy"),
            (f"{prefix}.range", f"{year_of_day(options.first_date)},NOW"),
            (f"{prefix}.interval", "1"),
            (f"{prefix}.interval.unit", "YEARS"),
        ]
    if part.type == "date":
        return [
            (f"{prefix}.type", "date"),
            (f"{prefix}.format", "yyyy-MM-dd"),
            (f"{prefix}.range", f"{options.first_date},NOW"),
            (f"{prefix}.interval", "1"),
            (f"{prefix}.interval.unit", "DAYS"),
        ]
    if options.key_projection == "injected":
        return [(f"{prefix}.type", "injected")]
    values = options.products if part.name == "product_id" else options.coins
    if not values:
        raise ConfigError(f"partition projection of {part.name} needs at least one value")
    return [(f"{prefix}.type", "enum"), (f"{prefix}.values", ",".join(values))]


def table_properties(spec: Table, options: DdlOptions) -> list[tuple[str, str]]:
    """The table's TBLPROPERTIES (compression, extras, partition projection), in DDL order; the
    CDK app writes the same pairs into its Glue Data Catalog tables."""
    props = [("parquet.compression", "SNAPPY"), *sorted(options.extra_properties.items())]
    if options.projection and spec.partition_by:
        props.extend(_projection_properties(spec, options))
    return props


def build_create_table(spec: Table, options: DdlOptions) -> str:
    """`CREATE EXTERNAL TABLE IF NOT EXISTS` for one table, ending with `;`."""
    columns = ",\n".join(f"  {_ident(col.name)} {col.type}" for col in spec.columns)
    partitions = ", ".join(f"{_ident(p.name)} {p.type}" for p in spec.partition_by)
    props = table_properties(spec, options)
    lines = [
        f"CREATE EXTERNAL TABLE IF NOT EXISTS {_ident(options.database)}.{_ident(spec.name)} (",
        columns,
        ")",
    ]
    if spec.comment:
        lines.append(f"COMMENT {_quote(spec.comment)}")
    if spec.partition_by:
        lines.append(f"PARTITIONED BY ({partitions})")
    lines += [
        f"ROW FORMAT SERDE {_quote(PARQUET_SERDE)}",
        f"STORED AS INPUTFORMAT {_quote(PARQUET_INPUT)}",
        f"OUTPUTFORMAT {_quote(PARQUET_OUTPUT)}",
        f"LOCATION {_quote(table_location(spec, options))}",
        "TBLPROPERTIES (",
        ",\n".join(f"  {_quote(key)} = {_quote(value)}" for key, value in props),
        ");",
    ]
    return "\n".join(lines)


def build_repair(spec: Table, options: DdlOptions) -> str:
    """`MSCK REPAIR TABLE` for a partitioned table (the no-projection way to find partitions)."""
    return f"MSCK REPAIR TABLE {_ident(options.database)}.{_ident(spec.name)};"


def build_ddl(options: DdlOptions, tables: Sequence[Table] | None = None) -> str:
    """The whole script: the database, then each table (every table of the catalog unless
    `tables` is given), each followed by its repair without projection."""
    statements = [f"CREATE DATABASE IF NOT EXISTS {_ident(options.database)};"]
    for spec in catalog.sql_tables() if tables is None else tables:
        statements.append(build_create_table(spec, options))
        if not options.projection and spec.partition_by:
            statements.append(build_repair(spec, options))
    return "\n\n".join(statements) + "\n"


def split_statements(script: str) -> list[str]:
    """The statements of a `build_ddl` script, without their `;` (for engines taking one each)."""
    return [part.strip() for part in script.split(";\n") if part.strip().rstrip(";")]


def check_location(location: str, dialect: Literal["athena", "spark"]) -> str:
    """Validate a DDL location for a dialect; Athena reads only S3.

    Raises:
        ConfigError: Athena with a non-S3 location.
    """
    if dialect == "athena" and not location.startswith("s3://"):
        raise ConfigError(
            f"Athena tables need an s3:// location, not {location!r}: "
            "pass --location s3://bucket/prefix or use an S3 lake"
        )
    return location.rstrip("/")
