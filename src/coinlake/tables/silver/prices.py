"""silver.prices: CoinGecko snapshots and history -> one row per coin, currency and observation.

Input: `bronze/source=coingecko/dataset=simple_price/...` envelopes whose body is
`{"bitcoin": {"usd": 91234.12, "usd_market_cap": ..., "usd_24h_vol": ..., "usd_24h_change": ...,
"eur": ..., "last_updated_at": 1763805600}, ...}`. Numbers are read as their JSON text and cast to
exact decimals. Currencies are the keys without an underscore. The observation time is
CoinGecko's `last_updated_at`; a coin's quote seen in several snapshots is kept once (the
earliest fetched). Partitions: `coin_id` and `date` (UTC date of `last_updated_at`).

Rules: `unparsable_response` (whole object), `bad_last_updated_at` (missing or not unix
seconds), `bad_price` (missing, unparsable or <= 0).

History (`dataset=market_chart_range`, backfills) feeds the same table through `HISTORY_SQL`:
a point observed both by a snapshot and in history is kept once (the earliest fetched).
"""

from __future__ import annotations

from coinlake.storage.layout import bronze_dataset_prefix as dataset_prefix
from coinlake.tables.spec import SilverDef, SilverInput, columns

PRICE_TYPE = "decimal(38,16)"
"""CoinGecko prices go down to 1e-12 and below for small coins (`precision=full`)."""
AMOUNT_TYPE = "decimal(38,8)"
"""Market caps and volumes (quote currency)."""
PCT_TYPE = "decimal(18,8)"
"""24h change in percent."""

_ENTRY = "struct<key:string,value:map<string,string>>"

_CHECKED = """checked AS (
  SELECT
    *,
    CASE
      WHEN parse_error IS NOT NULL THEN 'unparsable_response'
      WHEN last_updated_at IS NULL THEN 'bad_last_updated_at'
      WHEN price IS NULL OR price <= 0 THEN 'bad_price'
    END AS rule
  FROM typed
)
SELECT
  vs_currency,
  price,
  market_cap,
  volume_24h,
  change_24h_pct,
  last_updated_at,
  fetched_at,
  fetched_at AS ingested_at,
  bronze_key,
  coin_id,
  TO_DATE(last_updated_at) AS `date`,
  rule,
  parse_error AS detail,
  CASE WHEN rule IS NOT NULL THEN raw_price END AS price_raw,
  CASE WHEN rule IS NOT NULL THEN raw_updated END AS last_updated_raw
FROM checked
"""
"""The rules and the output columns, shared by snapshots and history: their `typed` CTEs have
the same columns."""

STAGE_SQL = """
WITH coins AS (
  SELECT
    b.bronze_key,
    b.meta.parse_error,
    TRY_CAST(b.meta.fetched_at AS TIMESTAMP) AS fetched_at,
    c.key AS coin_id,
    c.value AS fields
  FROM bronze AS b
  LATERAL VIEW EXPLODE(
    CASE WHEN b.meta.parse_error IS NULL THEN MAP_ENTRIES(b.body)
    ELSE ARRAY(CAST(NULL AS {entry})) END
  ) t AS c
  WHERE b.meta.parse_error IS NOT NULL OR c IS NOT NULL
),
quotes AS (
  SELECT k.*, cur AS vs_currency
  FROM coins AS k
  LATERAL VIEW EXPLODE(
    CASE WHEN k.parse_error IS NULL THEN MAP_KEYS(k.fields) ELSE ARRAY(CAST(NULL AS STRING)) END
  ) u AS cur
  WHERE k.parse_error IS NOT NULL OR INSTR(cur, '_') = 0
),
typed AS (
  SELECT
    coin_id,
    vs_currency,
    TRY_CAST(ELEMENT_AT(fields, vs_currency) AS DECIMAL(38, 16)) AS price,
    TRY_CAST(ELEMENT_AT(fields, CONCAT(vs_currency, '_market_cap')) AS DECIMAL(38, 8))
      AS market_cap,
    TRY_CAST(ELEMENT_AT(fields, CONCAT(vs_currency, '_24h_vol')) AS DECIMAL(38, 8))
      AS volume_24h,
    TRY_CAST(ELEMENT_AT(fields, CONCAT(vs_currency, '_24h_change')) AS DECIMAL(18, 8))
      AS change_24h_pct,
    TIMESTAMP_SECONDS(TRY_CAST(ELEMENT_AT(fields, 'last_updated_at') AS BIGINT))
      AS last_updated_at,
    fetched_at,
    bronze_key,
    parse_error,
    ELEMENT_AT(fields, vs_currency) AS raw_price,
    ELEMENT_AT(fields, 'last_updated_at') AS raw_updated
  FROM quotes
),
{checked}""".replace("{entry}", _ENTRY).replace("{checked}", _CHECKED)

HISTORY_SQL = """
WITH objects AS (
  SELECT
    bronze_key,
    meta.parse_error AS parse_error,
    TRY_CAST(meta.fetched_at AS TIMESTAMP) AS fetched_at,
    meta.product AS coin_id,
    meta.extra.vs_currency AS vs_currency,
    body
  FROM bronze
),
prices AS (
  SELECT o.bronze_key, o.parse_error, o.fetched_at, o.coin_id, o.vs_currency, p.point
  FROM objects AS o
  LATERAL VIEW EXPLODE(
    CASE WHEN o.parse_error IS NULL THEN o.body.prices
    ELSE ARRAY(CAST(NULL AS ARRAY<STRING>)) END
  ) p AS point
),
caps AS (
  SELECT o.bronze_key, ELEMENT_AT(c.point, 1) AS at_ms, ELEMENT_AT(c.point, 2) AS market_cap
  FROM objects AS o
  LATERAL VIEW EXPLODE(o.body.market_caps) c AS point
),
volumes AS (
  SELECT o.bronze_key, ELEMENT_AT(v.point, 1) AS at_ms, ELEMENT_AT(v.point, 2) AS volume
  FROM objects AS o
  LATERAL VIEW EXPLODE(o.body.total_volumes) v AS point
),
typed AS (
  SELECT
    p.coin_id,
    p.vs_currency,
    TRY_CAST(ELEMENT_AT(p.point, 2) AS DECIMAL(38, 16)) AS price,
    TRY_CAST(c.market_cap AS DECIMAL(38, 8)) AS market_cap,
    TRY_CAST(v.volume AS DECIMAL(38, 8)) AS volume_24h,
    TIMESTAMP_MILLIS(TRY_CAST(ELEMENT_AT(p.point, 1) AS BIGINT)) AS last_updated_at,
    p.fetched_at,
    p.bronze_key,
    p.parse_error,
    ELEMENT_AT(p.point, 2) AS raw_price,
    ELEMENT_AT(p.point, 1) AS raw_updated,
    CAST(NULL AS DECIMAL(18, 8)) AS change_24h_pct
  FROM prices AS p
  LEFT JOIN caps AS c ON c.bronze_key = p.bronze_key AND c.at_ms = ELEMENT_AT(p.point, 1)
  LEFT JOIN volumes AS v ON v.bronze_key = p.bronze_key AND v.at_ms = ELEMENT_AT(p.point, 1)
),
{checked}""".replace("{checked}", _CHECKED)
"""`/coins/{id}/market_chart/range` history: `{"prices": [[ms, price], ...], "market_caps": [...],
"total_volumes": [...]}`, one row per price point, joined to the cap and volume of the same
millisecond. The coin and currency come from the envelope (`meta.product`, `meta.extra`); there
is no 24h change in history, so `change_24h_pct` is NULL. Same rules as the snapshots."""

COLUMNS = columns(
    ("vs_currency", "string", "Quote currency of the CoinGecko price, lower case (usd)"),
    ("price", PRICE_TYPE, "Price of one coin in vs_currency (exact decimal)"),
    ("market_cap", AMOUNT_TYPE, "Market capitalisation in vs_currency"),
    ("volume_24h", AMOUNT_TYPE, "Traded value over the last 24 hours in vs_currency"),
    ("change_24h_pct", PCT_TYPE, "Price change over the last 24 hours, percent"),
    ("last_updated_at", "timestamp", "When CoinGecko last updated the price (UTC)"),
    ("fetched_at", "timestamp", "When coinlake fetched the response (UTC)"),
    ("bronze_key", "string", "Lake key of the Bronze object the row came from (lineage)"),
)

TABLE = SilverDef(
    name="silver.prices",
    bronze_prefix=dataset_prefix("coingecko", "simple_price"),
    raw_schema=columns(
        ("meta", "struct<fetched_at:string,product:string,parse_error:string>"),
        ("body", "map<string,map<string,string>>"),
    ),
    stage_sql=STAGE_SQL,
    columns=COLUMNS,
    partition_by=columns(
        ("coin_id", "string", "CoinGecko coin id (bitcoin)"),
        ("date", "date", "UTC day of last_updated_at (partition key)"),
    ),
    key=("coin_id", "vs_currency", "last_updated_at"),
    winner_order=("fetched_at", "bronze_key", "price", "market_cap", "volume_24h"),
    quarantine_fields=columns(
        ("coin_id", "string", "CoinGecko coin id (bitcoin)"),
        ("vs_currency", "string", "Quote currency of the CoinGecko price, lower case (usd)"),
        ("price_raw", "string", "price as received"),
        ("last_updated_raw", "string", "last_updated_at as received"),
    ),
    extra_inputs=(
        SilverInput(
            bronze_prefix=dataset_prefix("coingecko", "market_chart_range"),
            raw_schema=columns(
                (
                    "meta",
                    "struct<fetched_at:string,product:string,parse_error:string,"
                    "extra:struct<vs_currency:string>>",
                ),
                (
                    "body",
                    "struct<prices:array<array<string>>,market_caps:array<array<string>>,"
                    "total_volumes:array<array<string>>>",
                ),
            ),
            stage_sql=HISTORY_SQL,
        ),
    ),
    nullable=("market_cap", "volume_24h", "change_24h_pct"),
    time_column="last_updated_at",
    key_column="coin_id",
    comment="CoinGecko price observations",
)
