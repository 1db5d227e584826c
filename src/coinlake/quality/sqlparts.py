"""Spark SQL shapes shared by the checks (pure text builders).

The identifiers spliced in come from the table definitions and the check declarations, never
from a command line, hence the `S608` waivers. User SQL from `coinlake.toml` is wrapped, not
parsed: it runs with the same rights as `coinlake query`.
"""

from __future__ import annotations

from coinlake.quality.tables import CheckedTable

SAMPLE_SIZE = 5
"""Offending keys kept per result row."""


def sample_of(key: str) -> str:
    """An aggregate: the first `SAMPLE_SIZE` distinct values of `key` in sort order, joined
    by commas (identical on DuckDB and Spark: both sort strings by code point)."""
    return f"ARRAY_JOIN(SLICE(SORT_ARRAY(COLLECT_SET({key})), 1, {SAMPLE_SIZE}), ',')"


def partition_of(table: CheckedTable, alias: str = "") -> str:
    """The row's partition path, `?` when a partition column is NULL."""
    return f"COALESCE({table.partition_sql(alias)}, '?')"


def per_partition(table: CheckedTable, offending: str) -> str:
    """A check over every partition of `table`: `offending` is Spark SQL returning
    (partition_key, k) for each offending row; `observed` is their count per partition (0 for
    partitions with none), `sample` a few of their `k`."""
    return f"""
WITH parts AS (
  SELECT DISTINCT {partition_of(table)} AS partition_key FROM {table.name}
),
bad AS ({offending}),
agg AS (
  SELECT partition_key, COUNT(*) AS n, {sample_of("k")} AS sample
  FROM bad GROUP BY partition_key
)
SELECT p.partition_key, CAST(COALESCE(a.n, 0) AS DOUBLE) AS observed, a.sample
FROM parts AS p LEFT JOIN agg AS a ON a.partition_key = p.partition_key
"""  # noqa: S608


def rows_where(table: CheckedTable, predicate: str, key: str) -> str:
    """A per-partition check counting the rows of `table` matching `predicate`, sampling `key`."""
    offending = (
        f"SELECT {partition_of(table)} AS partition_key, {key} AS k "  # noqa: S608
        f"FROM {table.name} WHERE {predicate}"
    )
    return per_partition(table, offending)


def micros_between(later: str, earlier: str) -> str:
    """Microseconds from `earlier` to `later` (timestamps), as a BIGINT."""
    return f"(UNIX_MICROS({later}) - UNIX_MICROS({earlier}))"


def hour_text(column: str) -> str:
    """An hour as `YYYY-MM-DD HH:00` text (UTC session time zone on both engines)."""
    return f"DATE_FORMAT({column}, 'yyyy-MM-dd HH:00')"
