"""gold.trades_hourly: per product and UTC hour, OHLCV, VWAP and trade-id gaps from silver.trades.

Conventions (ADR 0002 for the decimals):
- open/close are the prices of the lowest/highest trade id in the hour (ids are Coinbase's
  sequence; two trades can share a microsecond), high/low the extreme prices.
- Coinbase's `side` is the MAKER's side. Gold reports the TAKER (aggressor) view, as most market
  data does: `buy_volume` sums trades whose maker side is `sell` (the taker bought, an up-tick),
  `sell_volume` those whose maker side is `buy`.
- `notional` = sum(price * size), exact DECIMAL(38,16); `volume` exact DECIMAL(38,8).
- `vwap` = notional / volume and `avg_price` = sum(price) / trade_count, each rounded half-up to
  8 places (DECIMAL(18,8)) by the portable `exact_div`.
- `missing_trade_ids` = last - first + 1 - trade_count: ids absent inside the hour.

Partitioned by product and UTC year (ADR 0005): a year of one product is one file, not 365.
The `date` column (the UTC day of the hour) is kept in the files, so queries filter on it as
before. A run recomputes the hours of the Silver days that changed and merges them with the
year's other rows.
"""

from __future__ import annotations

from coinlake.tables.silver.trades import PRICE_TYPE
from coinlake.tables.silver.trades import TABLE as SILVER_TRADES
from coinlake.tables.spec import YEAR_PARTITION, Column, GoldDef, columns

NOTIONAL_TYPE = "decimal(38,16)"
"""price x size has 16 places; summed it fits 38 digits with no rounding. The SQL widens price to
DECIMAL(19,8) first: DuckDB keeps DECIMAL(18,8) x DECIMAL(18,8) in 64 bits and overflows, while
(19,8) x (18,8) is DECIMAL(37,16) in DuckDB and DECIMAL(38,16) in Spark, both exact."""
VOLUME_TYPE = "decimal(38,8)"
"""A sum of sizes: what DuckDB's SUM gives and wide enough for any hour."""

SQL = """
SELECT
  DATE_TRUNC('HOUR', trade_time) AS hour,
  COUNT(*) AS trade_count,
  CAST(EXACT_DIV(SUM(price), COUNT(*)) AS DECIMAL(18, 8)) AS avg_price,
  CAST(EXACT_DIV(SUM(CAST(price AS DECIMAL(19, 8)) * size), SUM(size)) AS DECIMAL(18, 8)) AS vwap,
  MIN_BY(price, trade_id) AS open,
  MAX(price) AS high,
  MIN(price) AS low,
  MAX_BY(price, trade_id) AS close,
  CAST(SUM(size) AS DECIMAL(38, 8)) AS volume,
  CAST(SUM(CAST(price AS DECIMAL(19, 8)) * size) AS DECIMAL(38, 16)) AS notional,
  CAST(SUM(CASE WHEN side = 'sell' THEN size ELSE CAST(0 AS DECIMAL(18, 8)) END)
    AS DECIMAL(38, 8)) AS buy_volume,
  CAST(SUM(CASE WHEN side = 'buy' THEN size ELSE CAST(0 AS DECIMAL(18, 8)) END)
    AS DECIMAL(38, 8)) AS sell_volume,
  MIN(trade_id) AS first_trade_id,
  MAX(trade_id) AS last_trade_id,
  MAX(trade_id) - MIN(trade_id) + 1 - COUNT(*) AS missing_trade_ids,
  TO_DATE(DATE_TRUNC('HOUR', trade_time)) AS `date`,
  product_id,
  SUBSTRING(CAST(TO_DATE(DATE_TRUNC('HOUR', trade_time)) AS STRING), 1, 4) AS `year`
FROM silver
GROUP BY product_id, DATE_TRUNC('HOUR', trade_time)
"""

TABLE = GoldDef(
    name="gold.trades_hourly",
    source=SILVER_TRADES,
    sql=SQL,
    columns=columns(
        ("hour", "timestamp", "Start of the UTC hour"),
        ("trade_count", "bigint", "Trades in the hour"),
        ("avg_price", PRICE_TYPE, "Mean price, rounded half-up to 8 places"),
        (
            "vwap",
            PRICE_TYPE,
            "Volume-weighted average price: notional / volume, rounded half-up to 8 places",
        ),
        ("open", PRICE_TYPE, "Price of the lowest trade id in the hour"),
        ("high", PRICE_TYPE, "Highest price"),
        ("low", PRICE_TYPE, "Lowest price"),
        ("close", PRICE_TYPE, "Price of the highest trade id in the hour"),
        ("volume", VOLUME_TYPE, "Base-currency volume"),
        ("notional", NOTIONAL_TYPE, "Quote-currency value traded: sum of price x size, exact"),
        ("buy_volume", VOLUME_TYPE, "Base volume bought by takers (maker side sell: up-ticks)"),
        ("sell_volume", VOLUME_TYPE, "Base volume sold by takers (maker side buy: down-ticks)"),
        ("first_trade_id", "bigint", "Lowest trade id in the hour"),
        ("last_trade_id", "bigint", "Highest trade id in the hour"),
        (
            "missing_trade_ids",
            "bigint",
            "Ids absent inside the hour: last - first + 1 - trade_count",
        ),
        ("date", "date", "UTC day of the hour"),
    ),
    partition_by=(
        Column("product_id", "string", "Coinbase product, BASE-QUOTE (BTC-USD)"),
        YEAR_PARTITION,
    ),
    year_of="date",
    time_column="hour",
    key_column="product_id",
    comment="Hourly OHLCV, VWAP and trade-id gaps per product",
)
