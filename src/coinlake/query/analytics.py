"""The analytic queries every engine must answer alike, written once and transpiled with sqlglot.

They are written in DuckDB's dialect against the table names Athena uses, and `transpile` turns
them into Spark SQL (Hive) or Athena (Trino) SQL. The Spark parity test, the benchmark and the docs
use these exact texts.
"""

from __future__ import annotations

from typing import Literal

import sqlglot

Dialect = Literal["duckdb", "spark", "athena"]

HOURLY_VWAP = """
SELECT product_id, hour, vwap, volume, trade_count
FROM coinlake.gold_trades_hourly
WHERE product_id = 'BTC-USD' AND "date" BETWEEN DATE '{start}' AND DATE '{end}'
ORDER BY product_id, hour
"""

DAILY_VOLUME = """
SELECT product_id, "date", sum(volume) AS volume, sum(notional) AS notional,
       sum(trade_count) AS trades
FROM coinlake.gold_trades_hourly
GROUP BY product_id, "date"
ORDER BY product_id, "date"
"""

TOP_HOURS = """
SELECT product_id, hour, trade_count
FROM coinlake.gold_trades_hourly
ORDER BY trade_count DESC, product_id, hour
LIMIT 10
"""

LATEST_HOUR = """
SELECT product_id, max(hour) AS hour, max_by(close, hour) AS close, max_by(vwap, hour) AS vwap,
       max_by(volume, hour) AS volume
FROM coinlake.gold_trades_hourly
GROUP BY product_id
ORDER BY product_id
"""

ONE_DAY = """
SELECT hour, open, high, low, close, vwap, volume, trade_count
FROM coinlake.gold_trades_hourly
WHERE product_id = 'BTC-USD' AND "date" = DATE '{start}'
ORDER BY hour
"""

QUERIES: dict[str, str] = {
    "hourly_vwap": HOURLY_VWAP,
    "daily_volume": DAILY_VOLUME,
    "top_hours": TOP_HOURS,
    "latest_hour": LATEST_HOUR,
    "one_day": ONE_DAY,
}
"""Name -> DuckDB SQL; `hourly_vwap` takes `{start}` and `{end}` dates (YYYY-MM-DD), `one_day`
the day `{start}`."""


def analytic_query(name: str, *, start: str = "2026-01-01", end: str = "2026-01-31") -> str:
    """The DuckDB text of one analytic query, with its date range filled in."""
    return QUERIES[name].format(start=start, end=end).strip()


def transpile(sql: str, dialect: Dialect) -> str:
    """`sql` (DuckDB dialect) in another engine's dialect; Athena means Trino."""
    if dialect == "duckdb":
        return sql
    target = "trino" if dialect == "athena" else dialect
    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write=target, pretty=True))
