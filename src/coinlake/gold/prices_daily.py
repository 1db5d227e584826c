"""gold.prices_daily: per coin, currency and UTC day, from silver.prices observations.

open/close are the first/last observation of the day by `last_updated_at`; `avg_price` is the
mean of the observations rounded half-up to 8 places (`exact_div`); `market_cap` and
`volume_24h` are those of the last observation. Partitioned by `coin_id` only: a change to any
day of a coin rebuilds that coin's (small) partition.
"""

from __future__ import annotations

from coinlake.silver.prices import AMOUNT_TYPE, PRICE_TYPE, SILVER_PRICES
from coinlake.transform.definition import GoldDef, columns

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

GOLD_PRICES_DAILY = GoldDef(
    name="gold.prices_daily",
    path="gold/prices_daily",
    source=SILVER_PRICES,
    sql=SQL,
    columns=columns(
        ("vs_currency", "string"),
        ("date", "date"),
        ("open", PRICE_TYPE),
        ("high", PRICE_TYPE),
        ("low", PRICE_TYPE),
        ("close", PRICE_TYPE),
        ("avg_price", "decimal(38,8)"),
        ("market_cap", AMOUNT_TYPE),
        ("volume_24h", AMOUNT_TYPE),
        ("observations", "bigint"),
    ),
    partition_by=columns(("coin_id", "string")),
)
