"""The checks across rows and tables: completeness, coverage, consistency, anomalies.

Completeness is about Coinbase trade ids, which are sequential per product. A missing range
is any run of ids absent from Silver between the product's lowest id in the lake and the
larger of its highest id and its ingest cursor (the cursor says those ids were landed). Ranges
below the lake's first id are history never asked for, not gaps; ids above the cursor are the
next ingest's. A missing range is *servable* unless a repair already asked the exchange for it
and got nothing (recorded in `q_unservable`): Coinbase serves every historic trade by id, so
only ids the exchange itself skipped (or lost) cannot be fetched again.
"""

from __future__ import annotations

from coinlake.quality.config import QualityConfig
from coinlake.quality.model import Check
from coinlake.quality.sqlparts import hour_text, sample_of
from coinlake.quality.tables import (
    CANDLES,
    PRICES,
    PRICES_DAILY,
    TRADES,
    TRADES_HOURLY,
)

GAPS_CTES = """
ids AS (SELECT product_id, trade_id FROM silver_trades),
nexts AS (
  SELECT product_id, trade_id,
    LEAD(trade_id) OVER (PARTITION BY product_id ORDER BY trade_id) AS next_id
  FROM ids
),
tops AS (SELECT product_id, MAX(trade_id) AS hi FROM ids GROUP BY product_id),
holes AS (
  SELECT product_id, trade_id + 1 AS low, next_id - 1 AS high
  FROM nexts WHERE next_id > trade_id + 1
  UNION ALL
  SELECT t.product_id, t.hi + 1 AS low, c.last_id AS high
  FROM tops AS t JOIN q_cursors AS c ON c.product_id = t.product_id
  WHERE c.last_id > t.hi
),
gaps AS (
  SELECT h.product_id, h.low, h.high,
    MAX(CASE WHEN u.product_id IS NULL THEN 0 ELSE 1 END) = 0 AS servable
  FROM holes AS h LEFT JOIN q_unservable AS u
    ON u.product_id = h.product_id AND u.low <= h.low AND u.high >= h.high
  GROUP BY h.product_id, h.low, h.high
)"""
"""CTEs ending in `gaps(product_id, low, high, servable)`: every missing trade-id range."""

GAPS_SQL = f"WITH {GAPS_CTES}\nSELECT product_id, low, high, servable FROM gaps"
"""Every missing trade-id range, with whether the exchange can still serve it."""


def _gap_check(servable: bool) -> str:
    flag = "g.servable" if servable else "NOT g.servable"
    label = "CONCAT(CAST(g.low AS STRING), '-', CAST(g.high AS STRING))"
    return f"""
WITH {GAPS_CTES},
prods AS (SELECT DISTINCT product_id FROM silver_trades)
SELECT CONCAT('product_id=', p.product_id) AS partition_key,
  CAST(COALESCE(SUM(CASE WHEN {flag} THEN g.high - g.low + 1 END), 0) AS DOUBLE) AS observed,
  {sample_of(f"CASE WHEN {flag} THEN {label} END")} AS sample
FROM prods AS p LEFT JOIN gaps AS g ON g.product_id = p.product_id
GROUP BY p.product_id
"""  # noqa: S608


COVERAGE_HOURS = f"""
SELECT CONCAT('product_id=', product_id) AS partition_key,
  CAST((UNIX_SECONDS(MAX(hour)) - UNIX_SECONDS(MIN(hour))) / 3600 + 1 - COUNT(DISTINCT hour)
    AS DOUBLE) AS observed,
  CAST(NULL AS STRING) AS sample
FROM {TRADES_HOURLY.name} GROUP BY product_id
"""  # noqa: S608

COVERAGE_DAYS = f"""
SELECT CONCAT('coin_id=', coin_id, '/vs_currency=', vs_currency) AS partition_key,
  CAST(DATEDIFF(MAX(`date`), MIN(`date`)) + 1 - COUNT(DISTINCT `date`) AS DOUBLE) AS observed,
  CAST(NULL AS STRING) AS sample
FROM {PRICES.name} GROUP BY coin_id, vs_currency
"""  # noqa: S608

COVERAGE_CANDLES = f"""
WITH c AS (
  SELECT product_id, DATE_TRUNC('HOUR', bucket_start) AS hour FROM {CANDLES.name}
),
span AS (SELECT product_id, MIN(hour) AS lo, MAX(hour) AS hi FROM c GROUP BY product_id),
missing AS (
  SELECT g.product_id, g.hour
  FROM {TRADES_HOURLY.name} AS g JOIN span AS s
    ON s.product_id = g.product_id AND g.hour >= s.lo AND g.hour <= s.hi
  LEFT ANTI JOIN c ON c.product_id = g.product_id AND c.hour = g.hour
)
SELECT CONCAT('product_id=', s.product_id) AS partition_key,
  CAST(COUNT(m.hour) AS DOUBLE) AS observed,
  {sample_of(hour_text("m.hour"))} AS sample
FROM span AS s LEFT JOIN missing AS m ON m.product_id = s.product_id
GROUP BY s.product_id
"""  # noqa: S608
"""Hours with trades, inside the span the product's candles cover, that have no candle."""

CONSISTENCY_TRADES = f"""
WITH s AS (
  SELECT product_id, `date`, COUNT(*) AS n, SUM(size) AS v,
    SUM(CAST(price AS DECIMAL(19, 8)) * size) AS q
  FROM {TRADES.name} GROUP BY product_id, `date`
),
g AS (
  SELECT product_id, `date`, SUM(trade_count) AS n, SUM(volume) AS v, SUM(notional) AS q
  FROM {TRADES_HOURLY.name} GROUP BY product_id, `date`
),
j AS (
  SELECT COALESCE(s.product_id, g.product_id) AS product_id, COALESCE(s.`date`, g.`date`) AS d,
    COALESCE(s.n, 0) AS sn, COALESCE(g.n, 0) AS gn,
    COALESCE(s.v, 0) AS sv, COALESCE(g.v, 0) AS gv, COALESCE(s.q, 0) AS sq, COALESCE(g.q, 0) AS gq
  FROM s FULL OUTER JOIN g ON s.product_id = g.product_id AND s.`date` = g.`date`
)
SELECT CONCAT('product_id=', product_id, '/date=', CAST(d AS STRING)) AS partition_key,
  CAST(ABS(sn - gn) AS DOUBLE) + CASE WHEN sv <> gv THEN 1 ELSE 0 END
    + CASE WHEN sq <> gq THEN 1 ELSE 0 END AS observed,
  CASE WHEN sn <> gn OR sv <> gv OR sq <> gq THEN CONCAT('silver ', CAST(sn AS STRING),
    ' trades; gold ', CAST(gn AS STRING), ' trades') END AS sample
FROM j
"""  # noqa: S608
"""Per Silver partition: |trade count difference| + 1 if the volumes differ + 1 if the
notionals differ, between Silver and the Gold hours of the same date."""

CONSISTENCY_PRICES = f"""
WITH s AS (SELECT coin_id, COUNT(*) AS n FROM {PRICES.name} GROUP BY coin_id),
g AS (SELECT coin_id, SUM(observations) AS n FROM {PRICES_DAILY.name} GROUP BY coin_id)
SELECT CONCAT('coin_id=', COALESCE(s.coin_id, g.coin_id)) AS partition_key,
  CAST(ABS(COALESCE(s.n, 0) - COALESCE(g.n, 0)) AS DOUBLE) AS observed,
  CASE WHEN COALESCE(s.n, 0) <> COALESCE(g.n, 0) THEN CONCAT('silver ',
    CAST(COALESCE(s.n, 0) AS STRING), '; gold ', CAST(COALESCE(g.n, 0) AS STRING)) END AS sample
FROM s FULL OUTER JOIN g ON s.coin_id = g.coin_id
"""  # noqa: S608


def _max_with_sample(deviations: str, tolerance: float) -> str:
    """Per product: the largest deviation and the hours beyond `tolerance`; `deviations` is
    Spark SQL giving (product_id, hour, dev)."""
    return f"""
WITH d AS ({deviations})
SELECT CONCAT('product_id=', product_id) AS partition_key,
  COALESCE(MAX(dev), 0.0) AS observed,
  {sample_of(f"CASE WHEN dev > {tolerance!r} THEN {hour_text('hour')} END")} AS sample
FROM d GROUP BY product_id
"""  # noqa: S608


def vwap_sql(tolerance: float) -> str:
    """|hourly VWAP / mean CoinGecko price of the hour - 1|, per product (coin map `q_coins`)."""
    deviations = f"""
SELECT g.product_id, g.hour,
  ABS(CAST(g.vwap AS DOUBLE) / cg.price - 1.0) AS dev
FROM {TRADES_HOURLY.name} AS g
JOIN q_coins AS c ON c.product_id = g.product_id
JOIN (
  SELECT coin_id, vs_currency, DATE_TRUNC('HOUR', last_updated_at) AS hour,
    AVG(CAST(price AS DOUBLE)) AS price
  FROM {PRICES.name} GROUP BY coin_id, vs_currency, DATE_TRUNC('HOUR', last_updated_at)
) AS cg ON cg.coin_id = c.coin_id AND cg.vs_currency = c.vs_currency AND cg.hour = g.hour
WHERE cg.price > 0
"""  # noqa: S608
    return _max_with_sample(deviations, tolerance)


def candles_sql(tolerance: float) -> str:
    """|candle volume / trades volume - 1| per product and hour, from the product's finest
    candles; the first and last hour the candles cover are left out (partly covered)."""
    deviations = f"""
WITH fine AS (
  SELECT product_id, MIN(granularity_s) AS g FROM {CANDLES.name}
  WHERE granularity_s <= 3600 GROUP BY product_id
),
c AS (
  SELECT k.product_id, DATE_TRUNC('HOUR', k.bucket_start) AS hour, SUM(k.volume) AS v
  FROM {CANDLES.name} AS k JOIN fine AS f
    ON f.product_id = k.product_id AND f.g = k.granularity_s
  GROUP BY k.product_id, DATE_TRUNC('HOUR', k.bucket_start)
),
span AS (SELECT product_id, MIN(hour) AS lo, MAX(hour) AS hi FROM c GROUP BY product_id)
SELECT c.product_id, c.hour,
  ABS(CAST(c.v AS DOUBLE) / CAST(t.volume AS DOUBLE) - 1.0) AS dev
FROM c JOIN span AS s ON s.product_id = c.product_id
JOIN {TRADES_HOURLY.name} AS t ON t.product_id = c.product_id AND t.hour = c.hour
WHERE c.hour > s.lo AND c.hour < s.hi AND t.volume > 0
"""  # noqa: S608
    return _max_with_sample(deviations, tolerance)


MIN_HOURS = 6
"""Hours a product needs before its anomalies are scored (a median of fewer says little)."""


def _robust(values: str, deviations: float) -> str:
    """Per product: the largest robust z-score |x - median| / (1.4826 * MAD) of `values`
    (Spark SQL giving product_id, hour, x), and the hours beyond `deviations`; products with
    fewer than `MIN_HOURS` hours give no row."""
    scored = f"""
WITH h AS ({values}),
m AS (
  SELECT product_id, MEDIAN(x) AS med FROM h GROUP BY product_id HAVING COUNT(*) >= {MIN_HOURS}
),
a AS (
  SELECT h.product_id, MEDIAN(ABS(h.x - m.med)) AS mad
  FROM h JOIN m ON m.product_id = h.product_id GROUP BY h.product_id
)
SELECT h.product_id, h.hour,
  CASE WHEN a.mad > 0 THEN ABS(h.x - m.med) / (1.4826 * a.mad) ELSE 0.0 END AS dev
FROM h JOIN m ON m.product_id = h.product_id JOIN a ON a.product_id = h.product_id
"""  # noqa: S608
    return _max_with_sample(scored, deviations)


def anomaly_volume_sql(deviations: float) -> str:
    """Hourly volume beyond `deviations` robust deviations of the product's hours (the first
    and last hour of a product are left out: the lake starts and ends inside them)."""
    values = f"""
SELECT g.product_id, g.hour, CAST(g.volume AS DOUBLE) AS x
FROM {TRADES_HOURLY.name} AS g JOIN (
  SELECT product_id, MIN(hour) AS lo, MAX(hour) AS hi FROM {TRADES_HOURLY.name} GROUP BY product_id
) AS s ON s.product_id = g.product_id
WHERE g.hour > s.lo AND g.hour < s.hi
"""  # noqa: S608
    return _robust(values, deviations)


def anomaly_price_sql(deviations: float) -> str:
    """Hour-to-hour close moves (relative) beyond `deviations` robust deviations."""
    values = f"""
SELECT product_id, hour, x FROM (
  SELECT product_id, hour,
    CAST(close AS DOUBLE)
      / CAST(LAG(close) OVER (PARTITION BY product_id ORDER BY hour) AS DOUBLE) - 1.0 AS x
  FROM {TRADES_HOURLY.name}
) AS r WHERE x IS NOT NULL
"""  # noqa: S608
    return _robust(values, deviations)


def cross_checks(config: QualityConfig) -> list[Check]:
    """Every cross-row built-in check."""
    tol = config.vwap_tolerance
    return [
        Check("completeness_trades", TRADES.name, "completeness", "error", 0, _gap_check(True),
              "trade ids missing from Silver that the exchange can still serve (sample: ranges; "
              "fix: coinlake backfill --repair-gaps)"),
        Check("unservable_trades", TRADES.name, "completeness", "warn", 0, _gap_check(False),
              "trade ids missing from Silver that the exchange did not serve when asked"),
        Check("coverage_trades_hourly", TRADES_HOURLY.name, "completeness", "warn", 0,
              COVERAGE_HOURS, "hours without a trade between the product's first and last hour"),
        Check("coverage_prices", PRICES.name, "completeness", "warn", 0, COVERAGE_DAYS,
              "days without a CoinGecko observation between the coin's first and last day"),
        Check("coverage_candles", CANDLES.name, "completeness", "warn", 0, COVERAGE_CANDLES,
              "hours with trades but no candle, inside the span the candles cover"),
        Check("consistency_trades_hourly", TRADES_HOURLY.name, "consistency", "error", 0,
              CONSISTENCY_TRADES, "Gold trade counts, volumes and notionals differ from Silver's"),
        Check("consistency_prices_daily", PRICES_DAILY.name, "consistency", "error", 0,
              CONSISTENCY_PRICES, "Gold observation counts differ from Silver's"),
        Check("vwap_vs_coingecko", TRADES_HOURLY.name, "consistency", "error", tol,
              vwap_sql(tol), "largest |VWAP / CoinGecko price - 1| of an hour (a broken parse "
              "or a wrong decimal scale)"),
        Check("candles_vs_trades", CANDLES.name, "consistency", "warn", config.candles_tolerance,
              candles_sql(config.candles_tolerance),
              "largest |candle volume / trades volume - 1| of an hour"),
        Check("anomaly_volume", TRADES_HOURLY.name, "anomaly", "info", config.anomaly_deviations,
              anomaly_volume_sql(config.anomaly_deviations),
              "largest robust deviation of an hourly volume (reported, never blocking)"),
        Check("anomaly_price", TRADES_HOURLY.name, "anomaly", "info", config.anomaly_deviations,
              anomaly_price_sql(config.anomaly_deviations),
              "largest robust deviation of an hour-to-hour close move (reported only)"),
    ]  # fmt: skip
