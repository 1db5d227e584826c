"""The row-level checks coinlake declares: schema, validity, uniqueness, freshness, quarantine.

Each builder returns `Check`s for the given settings (`QualityConfig`); the cross-table checks
(completeness, consistency, anomalies) are in `coinlake.quality.crosschecks`.
"""

from __future__ import annotations

from coinlake.quality.config import QualityConfig
from coinlake.quality.model import Check
from coinlake.quality.sqlparts import micros_between, partition_of, per_partition, rows_where
from coinlake.quality.tables import (
    CANDLES,
    PRICES,
    TRADES,
    TRADES_HOURLY,
    CheckedTable,
    checked_tables,
    quarantines,
)

MICROS_PER_MINUTE = 60_000_000


def schema_check(table: CheckedTable) -> Check:
    """Every declared column readable as its declared type (the engine reads the files with
    the declared schema) and no NULL in a column that must hold a value; sample: the columns."""
    nulls = " OR ".join(f"`{name}` IS NULL" for name in table.required)
    which = ", ".join(f"CASE WHEN `{name}` IS NULL THEN '{name}' END" for name in table.required)
    return Check(
        name=f"schema_{table.name}",
        table=table.name,
        kind="schema",
        severity="error",
        threshold=0,
        sql=rows_where(table, nulls, f"CONCAT_WS('+', {which})"),
        description="rows with NULL in a required column (sample: the columns)",
    )


def validity_checks(config: QualityConfig) -> list[Check]:
    """Prices and sizes > 0, sides in the allowed set, times within the fetch window."""
    window = int(config.fetch_window_minutes * MICROS_PER_MINUTE)
    trade_bad = (
        "price <= 0 OR size <= 0 OR side NOT IN ('buy', 'sell') "
        f"OR {micros_between('trade_time', 'ingested_at')} > {window}"
    )
    price_bad = f"price <= 0 OR {micros_between('last_updated_at', 'fetched_at')} > {window}"
    candle_bad = "low <= 0 OR low > high OR open < low OR open > high OR close < low "
    candle_bad += "OR close > high OR volume < 0"
    return [
        Check(
            "validity_trades",
            TRADES.name,
            "validity",
            "error",
            0,
            rows_where(TRADES, trade_bad, "CAST(trade_id AS STRING)"),
            "trades with price or size <= 0, an unknown side, or stamped after their fetch",
        ),
        Check(
            "validity_prices",
            PRICES.name,
            "validity",
            "error",
            0,
            rows_where(PRICES, price_bad, "vs_currency"),
            "prices <= 0 or stamped after their fetch (sample: currencies)",
        ),
        Check(
            "validity_candles",
            CANDLES.name,
            "validity",
            "error",
            0,
            rows_where(CANDLES, candle_bad, "CAST(UNIX_SECONDS(bucket_start) AS STRING)"),
            "candles with low <= 0, open/close outside low..high, or negative volume",
        ),
    ]


def _duplicates(table: CheckedTable, key: tuple[str, ...], label: str) -> str:
    """Keys of `key` held by more than one row, reported in the partition of their first row."""
    cols = ", ".join(key)
    first = partition_of(table)
    offending = (
        f"SELECT MIN({first}) AS partition_key, {label} AS k "  # noqa: S608
        f"FROM {table.name} GROUP BY {cols} HAVING COUNT(*) > 1"
    )
    return per_partition(table, offending)


def uniqueness_checks() -> list[Check]:
    """(product_id, trade_id) unique in Silver; one observation per coin, currency and time;
    one candle per product, width and start; one Gold row per product and hour."""
    return [
        Check(
            "unique_trades",
            TRADES.name,
            "uniqueness",
            "error",
            0,
            _duplicates(TRADES, ("product_id", "trade_id"), "CAST(trade_id AS STRING)"),
            "trade ids held by more than one Silver row",
        ),
        Check(
            "unique_prices",
            PRICES.name,
            "uniqueness",
            "error",
            0,
            _duplicates(
                PRICES,
                ("coin_id", "vs_currency", "last_updated_at"),
                "CONCAT(vs_currency, '@', CAST(UNIX_SECONDS(last_updated_at) AS STRING))",
            ),
            "price observations (coin, currency, time) held more than once",
        ),
        Check(
            "unique_candles",
            CANDLES.name,
            "uniqueness",
            "error",
            0,
            _duplicates(
                CANDLES,
                ("product_id", "granularity_s", "bucket_start"),
                "CAST(UNIX_SECONDS(bucket_start) AS STRING)",
            ),
            "candles (product, width, start) held more than once",
        ),
        Check(
            "unique_trades_hourly",
            TRADES_HOURLY.name,
            "uniqueness",
            "error",
            0,
            _duplicates(TRADES_HOURLY, ("product_id", "hour"), "DATE_FORMAT(hour, 'HH')"),
            "Gold hours held by more than one row",
        ),
    ]


def _lag(table: CheckedTable, column: str, key: str) -> str:
    return f"""
SELECT CONCAT('{key}=', {key}) AS partition_key,
  CAST({micros_between("MAX(n.now_at)", f"MAX(t.{column})")} AS DOUBLE) / {MICROS_PER_MINUTE}
    AS observed,
  CAST(NULL AS STRING) AS sample
FROM {table.name} AS t CROSS JOIN q_now AS n
GROUP BY {key}
"""  # noqa: S608


def freshness_checks(config: QualityConfig) -> list[Check]:
    """Minutes since the newest trade per product and the newest observation per coin."""
    return [
        Check(
            "freshness_trades",
            TRADES.name,
            "freshness",
            "warn",
            config.trades_max_lag_minutes,
            _lag(TRADES, "trade_time", "product_id"),
            "minutes since the newest trade of the product",
        ),
        Check(
            "freshness_prices",
            PRICES.name,
            "freshness",
            "warn",
            config.prices_max_lag_minutes,
            _lag(PRICES, "last_updated_at", "coin_id"),
            "minutes since the newest price observation of the coin",
        ),
    ]


def quarantine_checks() -> list[Check]:
    """Rows rejected on their way to Silver, per fetch date (sample: the rules they failed)."""
    return [
        Check(
            f"quarantined_{table.name.removeprefix('quarantine_')}",
            table.name,
            "validity",
            "warn",
            0,
            rows_where(table, "TRUE", "rule"),
            "rows rejected into quarantine (sample: the rules)",
        )
        for table in quarantines()
    ]


def row_checks(config: QualityConfig) -> list[Check]:
    """Every row-level built-in check."""
    data_tables = [t for t in checked_tables() if t not in quarantines()]
    return [
        *(schema_check(table) for table in data_tables),
        *validity_checks(config),
        *uniqueness_checks(),
        *freshness_checks(config),
        *quarantine_checks(),
    ]
