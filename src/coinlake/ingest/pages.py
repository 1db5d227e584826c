"""Coinbase trades pages: exact walks, the newest-trade probe, landing parsed and flagged pages."""

from __future__ import annotations

from datetime import datetime

from coinlake.bronze.keys import trades_page_key, trades_unparsed_key
from coinlake.errors import BadResponseError, ConfigError
from coinlake.ingest.landing import land_counted, meta_for
from coinlake.ingest.summary import ItemSummary
from coinlake.sources.coinbase.client import BadPageHandler, CoinbaseSource, TradesPage
from coinlake.sources.coinbase.trades_walk import TradesRequest, TradesWalk, WalkStop
from coinlake.storage.base import ObjectStore

BAD_PAGE_RETRIES = 2
"""Re-fetches of a response that did not parse before the product fails (as `walk_trades`)."""


class ExactWalk(TradesWalk):
    """A walk whose last page is cut to end exactly at `stop_at_id + 1` (ids being sequential),
    so consecutive runs land every id once instead of re-landing the overlap of the stopping
    page. Where the exchange skipped ids the page reaches lower and the walk goes on as usual.
    """

    def next_request(self) -> TradesRequest | None:
        """The next page, no larger than the ids left above the stop; None once none are left
        (a walk resumed from a checkpoint saved after its last page is already `reached`)."""
        request = super().next_request()
        if request is None or request.after is None or self.stop_at_id is None:
            return request
        left = request.after - 1 - self.stop_at_id
        if left <= 0:
            self.stopped = WalkStop.REACHED_KNOWN
            return None
        return TradesRequest(request.after, min(request.limit, left))


def probe_newest(
    store: ObjectStore, source: CoinbaseSource, product: str, summary: ItemSummary
) -> tuple[int, datetime] | None:
    """(id, time) of the newest trade: one trades request with `limit=1`.

    A probe that does not parse is landed flagged (it is a trades response like any other) and
    asked again, up to `BAD_PAGE_RETRIES` times, as the walk does with its pages.

    Raises:
        ConfigError: the exchange does not know `product` (404).
    """
    try:
        return source.probe_trade(
            product,
            None,
            on_bad_page=bad_page_lander(store, summary),
            bad_page_retries=BAD_PAGE_RETRIES,
        )
    except BadResponseError as exc:
        if exc.status == 404:
            raise ConfigError(
                f"unknown Coinbase product {product!r} (the exchange answered 404 Not Found); "
                "check the `products` setting"
            ) from exc
        raise


def bad_page_lander(store: ObjectStore, summary: ItemSummary) -> BadPageHandler:
    """An `on_bad_page` handler for probes and id searches: lands the response flagged and
    counts it, as the walk does with a page that did not parse."""

    def land(page: TradesPage) -> None:
        summary.pages += 1
        land_unparsed_trades(store, page, summary)

    return land


def land_trades_page(
    store: ObjectStore, page: TradesPage, ids: list[int], summary: ItemSummary
) -> None:
    """Land a parsed page under its id-range key; count it as written or already there."""
    low, high = min(ids), max(ids)
    raw = page.raw
    key = trades_page_key(page.product_id, raw.fetched_at, low, high)
    meta = meta_for(
        raw,
        dataset="trades",
        product=page.product_id,
        extra={"first_id": str(low), "last_id": str(high), "trades": str(len(ids))},
    )
    land_counted(store, key, meta, raw, summary, 0)  # new trades are counted by the walk


def land_unparsed_trades(store: ObjectStore, page: TradesPage, summary: ItemSummary) -> None:
    """Land a response that did not parse, flagged, under its fetch-time-and-digest key."""
    raw = page.raw
    key = trades_unparsed_key(page.product_id, raw.fetched_at, raw.body)
    meta = meta_for(raw, dataset="trades", product=page.product_id, parse_error=str(page.error))
    land_counted(store, key, meta, raw, summary, None)
