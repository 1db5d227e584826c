"""silver.trades: Coinbase trade pages -> typed, validated, deduplicated trades.

Input: `bronze/source=coinbase/dataset=trades/...` envelopes whose body is a Coinbase trades
array (newest first; `trade_id` an integer or a string). Output columns and types are `COLUMNS`;
partitions are `product_id` and `date` (the trade's UTC event date). `ingested_at` is the
envelope's `fetched_at`, so Silver is a pure function of Bronze and a full refresh rebuilds it
byte for byte in content. Among copies of a trade (re-fetched pages) the earliest fetched wins.

Rules (first failing rule is recorded; such rows go to `quarantine/trades`, never to Silver):
`unparsable_response` (the whole object: the envelope has `meta.parse_error`),
`missing_trade_id`, `bad_trade_time` (unparsable or outside 2010..2100), `bad_price`
(unparsable or <= 0), `bad_size` (unparsable or <= 0), `unknown_side` (not buy/sell).
"""

from __future__ import annotations

from coinlake.storage.layout import bronze_dataset_prefix as dataset_prefix
from coinlake.tables.spec import SilverDef, columns

PRICE_TYPE = "decimal(18,8)"
"""Quote price: Coinbase quotes BTC-USD in 0.01 steps; 8 places cover every listed product."""
SIZE_TYPE = "decimal(18,8)"
"""Base size: Coinbase's base_increment is 1e-8 at the finest."""

RAW_SCHEMA = columns(
    ("meta", "struct<fetched_at:string,product:string,parse_error:string>"),
    ("body", "array<struct<`time`:string,trade_id:string,price:string,size:string,side:string>>"),
)

STAGE_SQL = """
WITH rows AS (
  SELECT
    b.bronze_key,
    b.meta.parse_error,
    b.meta.product AS product_id,
    TRY_CAST(b.meta.fetched_at AS TIMESTAMP) AS ingested_at,
    e.`time` AS raw_time,
    e.trade_id AS raw_trade_id,
    e.price AS raw_price,
    e.size AS raw_size,
    e.side AS raw_side
  FROM bronze AS b
  LATERAL VIEW EXPLODE(b.body) t AS e
  WHERE b.meta.parse_error IS NULL
),
typed AS (
  SELECT
    product_id,
    TRY_CAST(raw_trade_id AS BIGINT) AS trade_id,
    TRY_CAST(raw_time AS TIMESTAMP) AS trade_time,
    TRY_CAST(raw_price AS DECIMAL(18, 8)) AS price,
    TRY_CAST(raw_size AS DECIMAL(18, 8)) AS size,
    LOWER(raw_side) AS side,
    parse_error,
    ingested_at,
    bronze_key,
    raw_trade_id,
    raw_time,
    raw_price,
    raw_size,
    raw_side
  FROM rows
),
checked AS (
  SELECT
    *,
    CASE
      WHEN parse_error IS NOT NULL THEN 'unparsable_response'
      WHEN trade_id IS NULL THEN 'missing_trade_id'
      WHEN trade_time IS NULL
        OR trade_time < TIMESTAMP '2010-01-01 00:00:00'
        OR trade_time >= TIMESTAMP '2100-01-01 00:00:00' THEN 'bad_trade_time'
      WHEN price IS NULL OR price <= 0 THEN 'bad_price'
      WHEN size IS NULL OR size <= 0 THEN 'bad_size'
      WHEN side IS NULL OR side NOT IN ('buy', 'sell') THEN 'unknown_side'
    END AS rule
  FROM typed
)
SELECT
  product_id,
  trade_id,
  trade_time,
  price,
  size,
  side,
  'coinbase' AS source,
  ingested_at,
  bronze_key,
  TO_DATE(trade_time) AS `date`,
  rule,
  parse_error AS detail,
  -- raw strings only for rejected rows: valid rows need none and stay narrow
  CASE WHEN rule IS NOT NULL THEN raw_trade_id END AS trade_id_raw,
  CASE WHEN rule IS NOT NULL THEN raw_time END AS time_raw,
  CASE WHEN rule IS NOT NULL THEN raw_price END AS price_raw,
  CASE WHEN rule IS NOT NULL THEN raw_size END AS size_raw,
  CASE WHEN rule IS NOT NULL THEN raw_side END AS side_raw
FROM checked
"""

OBJECTS_SQL = """
SELECT
  b.meta.product AS product_id,
  CAST(NULL AS BIGINT) AS trade_id,
  CAST(NULL AS TIMESTAMP) AS trade_time,
  CAST(NULL AS DECIMAL(18, 8)) AS price,
  CAST(NULL AS DECIMAL(18, 8)) AS size,
  CAST(NULL AS STRING) AS side,
  'coinbase' AS source,
  TRY_CAST(b.meta.fetched_at AS TIMESTAMP) AS ingested_at,
  b.bronze_key,
  CAST(NULL AS DATE) AS `date`,
  'unparsable_response' AS rule,
  b.meta.parse_error AS detail,
  CAST(NULL AS STRING) AS trade_id_raw,
  CAST(NULL AS STRING) AS time_raw,
  CAST(NULL AS STRING) AS price_raw,
  CAST(NULL AS STRING) AS size_raw,
  CAST(NULL AS STRING) AS side_raw
FROM bronze AS b
WHERE b.meta.parse_error IS NOT NULL
"""

COLUMNS = columns(
    ("trade_id", "bigint", "Coinbase trade id, sequential per product; unique with product_id"),
    ("trade_time", "timestamp", "When the trade happened (UTC, microseconds)"),
    ("price", PRICE_TYPE, "Trade price in the quote currency (exact decimal)"),
    ("size", SIZE_TYPE, "Trade size in the base currency (exact decimal)"),
    ("side", "string", "Coinbase's side: the MAKER order's side (buy = the taker sold)"),
    ("source", "string", "API the row came from (coinbase)"),
    ("ingested_at", "timestamp", "When the Bronze object holding the row was fetched (UTC)"),
    ("bronze_key", "string", "Lake key of the Bronze object the row came from (lineage)"),
)

TABLE = SilverDef(
    name="silver.trades",
    bronze_prefix=dataset_prefix("coinbase", "trades"),
    raw_schema=RAW_SCHEMA,
    stage_sql=STAGE_SQL,
    objects_sql=OBJECTS_SQL,
    columns=COLUMNS,
    partition_by=columns(
        ("product_id", "string", "Coinbase product, BASE-QUOTE (BTC-USD)"),
        ("date", "date", "UTC day of the event (partition key: date=YYYY-MM-DD)"),
    ),
    key=("product_id", "trade_id"),
    winner_order=("ingested_at", "bronze_key", "trade_time", "price", "size", "side"),
    quarantine_fields=columns(
        ("product_id", "string", "Coinbase product, BASE-QUOTE (BTC-USD)"),
        ("trade_id_raw", "string", "trade_id as received"),
        ("time_raw", "string", "time as received"),
        ("price_raw", "string", "price as received"),
        ("size_raw", "string", "size as received"),
        ("side_raw", "string", "side as received"),
    ),
    time_column="trade_time",
    key_column="product_id",
    range_column="trade_id",
    comment="Coinbase trades: typed, deduplicated on (product_id, trade_id)",
)
