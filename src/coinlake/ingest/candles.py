"""Coinbase candles for a time range into Bronze: one object per request window (<= 300 buckets).

Windows are independent: a window whose body does not parse is landed flagged and counted, and
the others go on. Keys carry the requested window, so a re-run of the same range on the same
(fetch) day is a no-op.
"""

from __future__ import annotations

from datetime import datetime

from coinlake.bronze.keys import candles_key, unparsed_key_beside
from coinlake.ingest.landing import land_counted, meta_for
from coinlake.ingest.summary import ItemSummary, NoProgress, Progress
from coinlake.sources.coinbase.client import CoinbaseSource, candle_windows
from coinlake.storage.base import ObjectStore


def ingest_candles(
    store: ObjectStore,
    source: CoinbaseSource,
    product: str,
    start_at: datetime,
    end_at: datetime,
    granularity_s: int,
    progress: Progress | None = None,
    summary: ItemSummary | None = None,
) -> ItemSummary:
    """Land the candles of `product` over `[start_at, end_at)`.

    Raises:
        ConfigError: the granularity is not one Coinbase offers.
        SourceError: the API kept failing for a window (windows landed before it stay).
    """
    progress = progress or NoProgress()
    summary = summary or ItemSummary(product, "coinbase", "candles")
    windows = len(candle_windows(start_at, end_at, granularity_s))
    per_window = round((end_at - start_at).total_seconds() / granularity_s / max(windows, 1))
    task = f"{product} candles"
    for page in source.iter_candles(product, start_at, end_at, granularity_s):
        summary.pages += 1
        meta = meta_for(
            page.raw,
            dataset="candles",
            product=product,
            parse_error=None if page.error is None else str(page.error),
            extra={"granularity": str(granularity_s)},
        )
        key = candles_key(product, page.raw.fetched_at, page.start_at, page.end_at)
        if page.error is not None:  # keep the window's key free for a re-fetch that parses
            key = unparsed_key_beside(key, page.raw.fetched_at, page.raw.body)
        land_counted(store, key, meta, page.raw, summary, _count(page.candles))
        progress.update(
            task, pages=summary.pages, trades=summary.trades, total=windows * per_window
        )
    summary.note = f"{granularity_s}s candles"
    return summary


def _count(records: tuple[object, ...] | None) -> int | None:
    return None if records is None else len(records)
