"""CoinGecko into Bronze: the `/simple/price` snapshot and `market_chart/range` history.

The snapshot asks for every configured coin and currency with market cap, 24h volume, 24h change
and the last-updated time, one object per fetch (`year=/month=/day=/<fetched_at>.json`). History
is asked per coin and currency in chunks that keep hourly points; each chunk is one object.
A body that does not parse is landed flagged and counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from coinlake.bronze.keys import (
    market_chart_range_key,
    simple_price_key,
    unparsed_key_beside,
)
from coinlake.errors import BadResponseError
from coinlake.ingest.known import check_coingecko_names
from coinlake.ingest.landing import land_counted, meta_for
from coinlake.ingest.summary import ItemSummary, NoProgress, Progress
from coinlake.sources.coingecko import CoinGeckoSource, parse_simple_price
from coinlake.storage.base import ObjectStore


def ingest_simple_price(
    store: ObjectStore,
    source: CoinGeckoSource,
    coins: Sequence[str],
    vs_currencies: Sequence[str],
    summary: ItemSummary | None = None,
) -> ItemSummary:
    """Fetch and land one `/simple/price` snapshot; `trades` counts its coin x currency quotes.

    Raises:
        UnknownNameError: a coin or currency CoinGecko does not list (nothing was landed).
        SourceError: the API kept failing (nothing was landed).
    """
    summary = summary or ItemSummary("simple_price", "coingecko", "simple_price")
    check_coingecko_names(store, source, coins, vs_currencies)
    raw = source.fetch_simple_price(coins, vs_currencies)
    summary.pages = 1
    error: str | None = None
    quotes: int | None = None
    try:
        quotes = len(parse_simple_price(raw.body, vs_currencies=vs_currencies))
    except BadResponseError as exc:
        error = str(exc)
    meta = meta_for(raw, dataset="simple_price", parse_error=error)
    land_counted(store, simple_price_key(raw.fetched_at), meta, raw, summary, quotes)
    summary.note = f"{len(coins)} coins x {len(vs_currencies)} currencies"
    return summary


def ingest_market_chart_history(
    store: ObjectStore,
    source: CoinGeckoSource,
    coin_id: str,
    vs_currency: str,
    start_at: datetime,
    end_at: datetime,
    progress: Progress | None = None,
    summary: ItemSummary | None = None,
) -> ItemSummary:
    """Land `market_chart/range` history of one coin and currency; `trades` counts price points.

    Raises:
        ConfigError: the range reaches further back than the key's plan allows, or CoinGecko
            does not list the coin or currency (`UnknownNameError`; nothing was landed).
        SourceError: the API kept failing for a chunk (chunks landed before it stay).
    """
    progress = progress or NoProgress()
    summary = summary or ItemSummary(f"{coin_id}/{vs_currency}", "coingecko", "market_chart_range")
    check_coingecko_names(store, source, [coin_id], [vs_currency])
    for page in source.iter_market_chart_range(coin_id, vs_currency, start_at, end_at):
        summary.pages += 1
        meta = meta_for(
            page.raw,
            dataset="market_chart_range",
            product=coin_id,
            parse_error=None if page.error is None else str(page.error),
            extra={"vs_currency": vs_currency},
        )
        key = market_chart_range_key(
            coin_id, vs_currency, page.raw.fetched_at, page.start_at, page.end_at
        )
        if page.error is not None:  # keep the chunk's key free for a re-fetch that parses
            key = unparsed_key_beside(key, page.raw.fetched_at, page.raw.body)
        points = None if page.points is None else len(page.points)
        land_counted(store, key, meta, page.raw, summary, points)
        progress.update(summary.name, pages=summary.pages, trades=summary.trades, total=None)
    return summary
