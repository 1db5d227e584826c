"""Spark SQL as the DuckDB engine runs it: sqlglot's transpile, plus UTC calendar arithmetic.

The engine's session runs in UTC, and a Spark `timestamp` is a DuckDB TIMESTAMPTZ. DuckDB
answers `date_trunc` and the cast to DATE on a TIMESTAMPTZ through ICU's calendar, which costs
more than the JSON parsing of the value: profiled on 2M trades, `TO_DATE(trade_time)` in the
Silver staging took ~0.13 CPU s and Gold's `DATE_TRUNC('HOUR', trade_time)` ~0.3 CPU s. In UTC
both are integer arithmetic on the microseconds since the epoch, which is what the macros below
compute (~0.02 CPU s each):

- `DATE_TRUNC(unit, x)` for a unit of fixed length (microsecond to day) becomes
  `cl_utc_trunc(x, <unit in microseconds>)`: x as a TIMESTAMPTZ (a string or DATE read as UTC,
  as Spark reads it), floored to the unit. Weeks, months, quarters and years are left to ICU.
- `TO_DATE(x)` without a format becomes `cl_utc_date(x)`: the UTC day of a TIMESTAMPTZ by
  arithmetic; any other type (a string, a DATE) goes through the cast it went through before.

Flooring, not truncating toward zero: an instant before 1970 falls in the hour and day it is in.
"""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp

MACROS = (
    """CREATE OR REPLACE MACRO cl_unscale16(x) AS
    CAST(FLOOR(x) AS HUGEINT) * CAST(10000000000000000 AS HUGEINT)
    + CAST((x - FLOOR(x)) * 10000000000000000 AS HUGEINT)""",
    # exact_div(a, b): a / b rounded half-up to 8 places, computed on 128-bit integers so no
    # step rounds (DuckDB's decimal division returns DOUBLE). Both operands are scaled to 16
    # places; the quotient's 8 places come from floor((2 * a * 1e8 + b) / (2 * b)).
    """CREATE OR REPLACE MACRO exact_div(a, b) AS
    CASE WHEN b = 0 THEN NULL ELSE
      CAST(
        (cl_unscale16(CAST(a AS DECIMAL(38, 16))) * CAST(200000000 AS HUGEINT)
          + cl_unscale16(CAST(b AS DECIMAL(38, 16))))
        // (CAST(2 AS HUGEINT) * cl_unscale16(CAST(b AS DECIMAL(38, 16))))
        AS DECIMAL(38, 0)) * CAST(0.00000001 AS DECIMAL(9, 8))
    END""",
    # Spark's timestamp_seconds (unix seconds -> instant), missing from DuckDB
    "CREATE OR REPLACE MACRO timestamp_seconds(x) AS to_timestamp(x)",
    # and timestamp_millis (unix milliseconds, CoinGecko's history), exact to the millisecond
    "CREATE OR REPLACE MACRO timestamp_millis(x) AS make_timestamptz(CAST(x AS BIGINT) * 1000)",
    # integer division rounding toward minus infinity (DuckDB's // rounds toward zero)
    "CREATE OR REPLACE MACRO cl_floor_div(n, d) AS (n - (((n % d) + d) % d)) // d",
    "CREATE OR REPLACE MACRO cl_utc_micros(x) AS epoch_us(TRY_CAST(x AS TIMESTAMPTZ))",
    """CREATE OR REPLACE MACRO cl_utc_trunc(x, unit) AS
    make_timestamptz(cl_floor_div(cl_utc_micros(x), unit) * unit)""",
    # the type test is folded away when the query is planned: one branch is left
    """CREATE OR REPLACE MACRO cl_utc_date(x) AS
    CASE WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE'
      THEN DATE '1970-01-01' + CAST(cl_floor_div(cl_utc_micros(x), 86400000000) AS INTEGER)
      ELSE TRY_CAST(x AS DATE)
    END""",
)

_UNIT_MICROS = {
    "MICROSECOND": 1,
    "MILLISECOND": 1_000,
    "SECOND": 1_000_000,
    "MINUTE": 60_000_000,
    "HOUR": 3_600_000_000,
    "DAY": 86_400_000_000,
}


def _utc_arithmetic(node: exp.Expression) -> exp.Expression:
    """The node with its UTC calendar calls replaced, its argument's too (a replaced node's
    children are not visited again)."""
    if isinstance(node, exp.TimestampTrunc):
        unit = node.args.get("unit")
        micros = _UNIT_MICROS.get(unit.name.upper()) if unit is not None else None
        if micros is not None:
            return exp.Anonymous(
                this="cl_utc_trunc", expressions=[_inner(node), exp.Literal.number(micros)]
            )
    if isinstance(node, exp.TsOrDsToDate) and node.args.get("format") is None:
        return exp.Anonymous(this="cl_utc_date", expressions=[_inner(node)])
    return node


def _inner(node: exp.Expression) -> exp.Expression:
    inner: exp.Expression = node.this
    return inner.transform(_utc_arithmetic, copy=False)


def quote(text: str) -> str:
    """`text` as a DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


@functools.lru_cache(maxsize=512)
def to_duckdb(sql: str) -> str:
    """One Spark SQL statement as DuckDB runs it (cached: the same few statements run once per
    batch)."""
    tree = sqlglot.parse_one(sql, read="spark")
    lowered = sql.lower()
    if "date_trunc" in lowered or "to_date" in lowered:  # walking every tree costs ~1 ms more
        tree = tree.transform(_utc_arithmetic, copy=False)
    return tree.sql(dialect="duckdb")
