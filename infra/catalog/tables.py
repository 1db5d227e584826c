"""The one door from the CDK app to the lake's table definitions (those `coinlake ddl` prints).

When the definitions move to another module, only the imports below change.
"""

from __future__ import annotations

from coinlake.query.ddl import (
    PARQUET_INPUT,
    PARQUET_OUTPUT,
    PARQUET_SERDE,
    DdlOptions,
    table_location,
)
from coinlake.query.ddl import table_properties as _table_properties
from coinlake.query.tables import TABLES, TableSpec

__all__ = [
    "PARQUET_INPUT",
    "PARQUET_OUTPUT",
    "PARQUET_SERDE",
    "DdlOptions",
    "TableSpec",
    "table_location",
]


def lake_tables() -> tuple[TableSpec, ...]:
    """Every queryable table: Silver, Gold and quarantine."""
    return TABLES


def table_properties(spec: TableSpec, options: DdlOptions) -> dict[str, str]:
    """The table's properties, partition projection included, exactly as the DDL writes them."""
    return dict(_table_properties(spec, options))
