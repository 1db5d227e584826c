"""gold.prices_daily: per coin, currency and UTC day, from silver.prices observations.

open/close are the first/last observation of the day by `last_updated_at`; `avg_price` is the
mean of the observations rounded half-up to 8 places (`exact_div`); `market_cap` and
`volume_24h` are those of the last observation. Partitioned by `coin_id` only: a change to any
day of a coin rebuilds that coin's (small) partition.
"""

from __future__ import annotations

from coinlake.tables.silver.prices import AMOUNT_TYPE, PRICE_TYPE
from coinlake.tables.silver.prices import TABLE as SILVER_PRICES
from coinlake.tables.spec import GoldDef, columns

SQL = """
SELECT
  vs_currency,
  TO_DATE(last_updated_at) AS `date`,
  MIN_BY(price, last_updated_at) AS open,
  MAX(price) AS high,
  MIN(price) AS low,
  MAX_BY(price, last_updated_at) AS close,
  CAST(EXACT_DIV(SUM(price), COUNT(*)) AS DECIMAL(38, 8)) AS avg_price,
  -- not MAX_BY: DuckDB's arg_max skips NULL values where Spark's max_by returns them
  MAX(NAMED_STRUCT('t', last_updated_at, 'v', market_cap)).v AS market_cap,
  MAX(NAMED_STRUCT('t', last_updated_at, 'v', volume_24h)).v AS volume_24h,
  COUNT(*) AS observations,
  coin_id
FROM silver
GROUP BY coin_id, vs_currency, TO_DATE(last_updated_at)
"""

TABLE = GoldDef(
    name="gold.prices_daily",
    source=SILVER_PRICES,
    sql=SQL,
    columns=columns(
        ("vs_currency", "string", "Quote currency of the CoinGecko price, lower case (usd)"),
        ("date", "date", "UTC day of the observations (called `day` in 0.1.0)"),
        ("open", PRICE_TYPE, "First observed price of the day"),
        ("high", PRICE_TYPE, "Highest price"),
        ("low", PRICE_TYPE, "Lowest price"),
        ("close", PRICE_TYPE, "Last observed price of the day"),
        ("avg_price", "decimal(38,8)", "Mean observed price, rounded half-up to 8 places"),
        ("market_cap", AMOUNT_TYPE, "Market cap at the last observation of the day"),
        ("volume_24h", AMOUNT_TYPE, "24-hour volume at the last observation of the day"),
        ("observations", "bigint", "CoinGecko observations in the day"),
    ),
    partition_by=columns(
        ("coin_id", "string", "CoinGecko coin id (bitcoin)"),
    ),
    nullable=("market_cap", "volume_24h"),
    time_column="date",
    key_column="coin_id",
    comment="Daily CoinGecko prices per coin and currency",
)
