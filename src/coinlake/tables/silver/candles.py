"""silver.candles: Coinbase candle responses -> one row per product, granularity and bucket.

Input: `bronze/source=coinbase/dataset=candles/...` envelopes whose body is
`[[time, low, high, open, close, volume], ...]` (newest first; unix seconds, then numbers) and
whose `meta.request.params.granularity` gives the bucket width. Numbers are cast from their JSON
text to exact decimals. A bucket fetched more than once is kept once (the earliest fetched).
Partitions: `product_id` and `date` (UTC date of the bucket start).

Rules: `unparsable_response` (whole object), `bad_time`, `bad_price` (a price missing or <= 0,
or low > high), `bad_volume` (missing or < 0), `bad_granularity`.
"""

from __future__ import annotations

from coinlake.storage.layout import bronze_dataset_prefix as dataset_prefix
from coinlake.tables.spec import SilverDef, columns

PRICE_TYPE = "decimal(18,8)"
"""As silver.trades prices."""
VOLUME_TYPE = "decimal(38,8)"
"""Base volume of one bucket."""

STAGE_SQL = """
WITH rows AS (
  SELECT
    b.bronze_key,
    b.meta.parse_error,
    b.meta.product AS product_id,
    TRY_CAST(b.meta.request.params.granularity AS INT) AS granularity_s,
    TRY_CAST(b.meta.fetched_at AS TIMESTAMP) AS ingested_at,
    e
  FROM bronze AS b
  LATERAL VIEW EXPLODE(
    CASE WHEN b.meta.parse_error IS NULL THEN b.body ELSE ARRAY(CAST(NULL AS ARRAY<STRING>)) END
  ) t AS e
  WHERE b.meta.parse_error IS NOT NULL OR e IS NOT NULL
),
typed AS (
  SELECT
    product_id,
    granularity_s,
    TIMESTAMP_SECONDS(TRY_CAST(e[0] AS BIGINT)) AS bucket_start,
    TRY_CAST(e[1] AS DECIMAL(18, 8)) AS low,
    TRY_CAST(e[2] AS DECIMAL(18, 8)) AS high,
    TRY_CAST(e[3] AS DECIMAL(18, 8)) AS open,
    TRY_CAST(e[4] AS DECIMAL(18, 8)) AS close,
    TRY_CAST(e[5] AS DECIMAL(38, 8)) AS volume,
    ingested_at,
    bronze_key,
    parse_error,
    CONCAT_WS(',', e) AS raw_row
  FROM rows
),
checked AS (
  SELECT
    *,
    CASE
      WHEN parse_error IS NOT NULL THEN 'unparsable_response'
      WHEN bucket_start IS NULL THEN 'bad_time'
      WHEN granularity_s IS NULL OR granularity_s <= 0 THEN 'bad_granularity'
      WHEN low IS NULL OR high IS NULL OR open IS NULL OR close IS NULL
        OR low <= 0 OR low > high THEN 'bad_price'
      WHEN volume IS NULL OR volume < 0 THEN 'bad_volume'
    END AS rule
  FROM typed
)
SELECT
  bucket_start,
  granularity_s,
  low,
  high,
  open,
  close,
  volume,
  ingested_at,
  bronze_key,
  product_id,
  TO_DATE(bucket_start) AS `date`,
  rule,
  parse_error AS detail,
  CASE WHEN rule IS NOT NULL THEN raw_row END AS row_raw
FROM checked
"""

TABLE = SilverDef(
    name="silver.candles",
    bronze_prefix=dataset_prefix("coinbase", "candles"),
    raw_schema=columns(
        (
            "meta",
            "struct<fetched_at:string,product:string,parse_error:string,"
            "request:struct<params:struct<granularity:string>>>",
        ),
        ("body", "array<array<string>>"),
    ),
    stage_sql=STAGE_SQL,
    columns=columns(
        ("bucket_start", "timestamp", "Start of the candle (UTC)"),
        ("granularity_s", "int", "Candle width in seconds (60 ... 86400)"),
        ("low", PRICE_TYPE, "Lowest price"),
        ("high", PRICE_TYPE, "Highest price"),
        ("open", PRICE_TYPE, "Price at the start of the candle"),
        ("close", PRICE_TYPE, "Price at the end of the candle"),
        ("volume", VOLUME_TYPE, "Base-currency volume"),
        ("ingested_at", "timestamp", "When the Bronze object holding the row was fetched (UTC)"),
        ("bronze_key", "string", "Lake key of the Bronze object the row came from (lineage)"),
    ),
    partition_by=columns(
        ("product_id", "string", "Coinbase product, BASE-QUOTE (BTC-USD)"),
        ("date", "date", "UTC day of bucket_start (partition key)"),
    ),
    key=("product_id", "granularity_s", "bucket_start"),
    winner_order=("ingested_at", "bronze_key", "low", "high", "open", "close", "volume"),
    quarantine_fields=columns(
        ("product_id", "string", "Coinbase product, BASE-QUOTE (BTC-USD)"),
        ("row_raw", "string", "The candle row as received"),
    ),
    time_column="bucket_start",
    key_column="product_id",
    comment="Coinbase candles",
)
