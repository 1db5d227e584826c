"""Pages of an id walk: the newest-id probe, landing parsed and flagged pages under the keys of
the walked source and dataset (the run names them; nothing here names an API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coinlake.bronze.keys import dataset_key
from coinlake.errors import BadResponseError, ConfigError
from coinlake.ingest.landing import land_counted, meta_for
from coinlake.ingest.summary import ItemSummary
from coinlake.sources.idwalk import BadPageHandler, IdWalkPager, TradesPage
from coinlake.storage.base import ObjectStore

BAD_PAGE_RETRIES = 2
"""Re-fetches of a response that did not parse before the product fails (as `walk_trades`)."""


@dataclass(frozen=True, slots=True)
class Walked:
    """Where a walk's pages land: the source and dataset of their Bronze keys."""

    source: str
    dataset: str
    title: str = ""
    """The API's name in messages (`Coinbase`); empty: `source`."""


def probe_newest(
    store: ObjectStore, walked: Walked, pager: IdWalkPager, product: str, summary: ItemSummary
) -> tuple[int, datetime] | None:
    """(id, time) of the newest trade: one trades request with `limit=1`.

    A probe that does not parse is landed flagged (it is a trades response like any other) and
    asked again, up to `BAD_PAGE_RETRIES` times, as the walk does with its pages.

    Raises:
        ConfigError: the exchange does not know `product` (404).
    """
    try:
        return pager.probe_trade(
            product,
            None,
            on_bad_page=bad_page_lander(store, walked, summary),
            bad_page_retries=BAD_PAGE_RETRIES,
        )
    except BadResponseError as exc:
        if exc.status == 404:
            raise ConfigError(
                f"unknown {walked.title or walked.source} product {product!r} (the exchange "
                "answered 404 Not Found); "
                "check the `products` setting"
            ) from exc
        raise


def bad_page_lander(store: ObjectStore, walked: Walked, summary: ItemSummary) -> BadPageHandler:
    """An `on_bad_page` handler for probes and id searches: lands the response flagged and
    counts it, as the walk does with a page that did not parse."""

    def land(page: TradesPage) -> None:
        summary.pages += 1
        land_unparsed_trades(store, walked, page, summary)

    return land


def land_trades_page(
    store: ObjectStore, walked: Walked, page: TradesPage, ids: list[int], summary: ItemSummary
) -> None:
    """Land a parsed page under its id-range key; count it as written or already there."""
    low, high = min(ids), max(ids)
    raw = page.raw
    folders = {"product": page.product_id}
    key = dataset_key(
        walked.source, walked.dataset, raw.fetched_at, folders=folders, ids=(low, high)
    )
    meta = meta_for(
        raw,
        dataset=walked.dataset,
        product=page.product_id,
        extra={"first_id": str(low), "last_id": str(high), "trades": str(len(ids))},
    )
    land_counted(store, key, meta, raw, summary, 0)  # new trades are counted by the walk


def land_unparsed_trades(
    store: ObjectStore, walked: Walked, page: TradesPage, summary: ItemSummary
) -> None:
    """Land a response that did not parse, flagged, under its fetch-time-and-digest key."""
    raw = page.raw
    folders = {"product": page.product_id}
    key = dataset_key(
        walked.source, walked.dataset, raw.fetched_at, folders=folders, unparsed_body=raw.body
    )
    meta = meta_for(
        raw, dataset=walked.dataset, product=page.product_id, parse_error=str(page.error)
    )
    land_counted(store, key, meta, raw, summary, None)
