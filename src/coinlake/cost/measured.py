"""What one run, one trade and one snapshot cost in bytes, requests and seconds: measured here.

Sizes come from a demo lake: `coinlake --lake /tmp/lake demo --hours 24 --no-report`
(2026-11-29, sandbox seed 7, 3 products, 259,814 trades in 261 Bronze pages of 414-1,000
trades). Request counts come from `coinlake ingest` against moto's S3 server, counting the HTTP
requests it received. Re-measure after a change to the envelope, the Parquet writer or the
state documents, and update the figures with their source.
"""

from __future__ import annotations

from decimal import Decimal

BRONZE_PAGE_BASE_BYTES = Decimal(526)
"""Envelope bytes of one Bronze trades page (least squares over the 261 demo pages:
size = 526 + 111.66 x trades)."""
BRONZE_BYTES_PER_TRADE = Decimal("111.66")
"""Bronze bytes per trade in a page (the JSON body as Coinbase sends it, in the envelope)."""
BRONZE_SNAPSHOT_BYTES_PER_PAIR = Decimal("245")
"""Bronze bytes of a CoinGecko `simple/price` snapshot per coin x currency (the demo's one
snapshot: 1,469 bytes for 3 coins x 2 currencies; linear scaling overstates a little)."""
SILVER_BYTES_PER_TRADE = Decimal("11.28")
"""Silver trades Parquet (zstd) bytes per trade (2,931,560 bytes for 259,814 trades in 6
product-day partitions)."""
GOLD_BYTES_PER_PRODUCT_HOUR = Decimal("296.7")
"""Gold `trades_hourly` bytes per product-hour (22,256 bytes for 75 rows in 6 files)."""
SILVER_PRICES_BYTES_PER_COIN_DAY = Decimal(9487)
"""Silver prices bytes per coin-day partition (56,923 bytes in 6 files; those hold 289 history
points each, so one snapshot a day is smaller: an upper bound)."""
GOLD_PRICES_BYTES_PER_COIN = Decimal(2132)
"""Gold `prices_daily` bytes per coin (6,397 bytes in 3 files; rewritten, grows slowly)."""
RUN_RECORD_BYTES_PER_ITEM = Decimal("357.5")
"""`_state/runs/` record bytes per ingested item (1,430 bytes for a run of 4 items)."""

TRADES_PER_PAGE = 1000
"""Coinbase returns at most 1,000 trades a page."""
SANDBOX_TRADES_PER_PRODUCT_DAY = 86_600
"""The sandbox market's trade rate (259,814 trades in 24 h over 3 products): the default
workload. Real products differ (BTC-USD is busier): pass `--trades-per-day`."""

PAGES_PER_SECOND = Decimal("9.3")
"""Trades pages fetched and landed per second: the demo landed 261 pages in 28.1 s with the
sandbox enforcing Coinbase's public limit of 10 requests/s, which is what binds on AWS too."""
RUN_OVERHEAD_SECONDS = Decimal("1.5")
"""Seconds of an ingest run besides fetching pages: imports, leases, cursors, the run record.
Assumed from a 1-page `coinlake ingest` against moto and the sandbox (1.85 s wall, most of it
interpreter start, which a cold Lambda also pays; warm runs pay less)."""

PUTS_PER_RUN = 2
"""S3 PUTs of one trades run besides its products (the run record and run-level state)."""
PUTS_PER_PRODUCT = 3
"""S3 PUTs per product and run besides its pages (its lease and cursor documents)."""
PUTS_PER_PAGE = 2
"""S3 PUTs per Bronze page. Fitted to the totals measured against moto (requests counted, not
itemised): 3 products x 1 page = 17 PUTs, 15 GETs, 3 DELETEs; 1 product x 4 pages = 13 PUTs."""
GETS_PER_PRODUCT = 5
"""S3 GETs per product and run (15 measured for 3 products)."""
SNAPSHOT_PUTS_PER_RUN = 3
"""S3 PUTs of one CoinGecko snapshot run (measured: 3)."""

GLUE_LISTS_PER_RUN = 20
"""S3 LISTs of one transform run (an estimate from the runner: one listing per Bronze dataset
and table, plus Spark's own listings of what it reads and writes)."""
GLUE_STATE_REQUESTS_PER_RUN = 10
"""State documents read and written by one transform run (bookmarks, one per table)."""
LAMBDA_LOG_BYTES_PER_RUN = 1500
"""CloudWatch Logs bytes per ingest run (START/END/REPORT plus one JSON line per item)."""
GLUE_LOG_BYTES_PER_RUN = 250_000
"""CloudWatch Logs bytes per Glue run (driver and executor logs at Glue's default level):
an assumption, to be replaced by a figure from a real account."""
