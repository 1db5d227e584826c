"""Snapshot and windowed datasets into Bronze: one object per request, landed as fetched.

- `snapshot` paging (CoinGecko `/simple/price`): one request per run, keyed by its fetch time.
- `windows` paging (Coinbase candles, CoinGecko `market_chart/range`): a time range cut into
  request windows by the source, one object per window keyed by the requested window, so a
  re-run of the same range on the same (fetch) day is a no-op.

Responses are independent: one whose body does not parse is landed flagged beside the key a
parsed one gets (so a re-fetch that parses still lands there) and counted; the others go on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from coinlake.bronze.keys import build_key
from coinlake.ingest.landing import land_counted, meta_for
from coinlake.ingest.summary import ItemSummary, NoProgress, Progress
from coinlake.sources.paging import Dataset, Fetched, SnapshotPager, WindowPager
from coinlake.storage.base import ObjectStore


def ingest_snapshot(
    store: ObjectStore,
    client: SnapshotPager,
    source: str,
    dataset: Dataset,
    summary: ItemSummary | None = None,
) -> ItemSummary:
    """Fetch and land the dataset's one response of this run; `trades` counts its records.

    Raises:
        SourceError: the API kept failing (nothing was landed).
    """
    summary = summary or ItemSummary(dataset.name, source, dataset.name)
    fetched = client.fetch_snapshot(dataset.name)
    summary.pages = 1
    _land(store, source, dataset, fetched, summary)
    return summary


def ingest_windows(
    store: ObjectStore,
    client: WindowPager,
    source: str,
    dataset: Dataset,
    item: str,
    start_at: datetime,
    end_at: datetime,
    options: Mapping[str, str],
    progress: Progress | None = None,
    summary: ItemSummary | None = None,
) -> ItemSummary:
    """Land `item`'s responses over `[start_at, end_at)`, window by window; `trades` counts
    the records (candles, points).

    Raises:
        ConfigError: the range or an option is not one the API serves.
        SourceError: the API kept failing for a window (windows landed before it stay).
    """
    progress = progress or NoProgress()
    summary = summary or ItemSummary(item, source, dataset.name)
    for fetched in client.iter_windows(dataset.name, item, start_at, end_at, options):
        summary.pages += 1
        _land(store, source, dataset, fetched, summary)
        progress.update(summary.name, pages=summary.pages, trades=summary.trades, total=None)
    return summary


def _land(
    store: ObjectStore, source: str, dataset: Dataset, fetched: Fetched, summary: ItemSummary
) -> None:
    raw = fetched.raw
    window = None
    if fetched.start_at is not None and fetched.end_at is not None:
        window = (fetched.start_at, fetched.end_at)
    key = build_key(
        source,
        dataset.name,
        dataset.keys,
        raw.fetched_at,
        folders=fetched.folders,
        window=window,
        unparsed_body=None if fetched.error is None else raw.body,
    )
    meta = meta_for(
        raw,
        dataset=dataset.name,
        product=fetched.product,
        parse_error=fetched.error,
        extra=dict(fetched.extra),
    )
    land_counted(store, key, meta, raw, summary, fetched.records)
