"""Id-walked datasets (trades) into Bronze without gaps or duplicates: incremental
walks and backfills. The run's source and dataset key its cursors, checkpoints and leases.

Per product, in the order that makes a crash lose nothing (see `docs/ingest.md`):

1. take the product's lease (one run at a time; a held lease skips the product);
2. resume the saved walk, or start one down to the cursor (the last id landed), to `--since`
   (a time or a trade id) or, for a product never seen, one page below the newest trade;
3. for each page: land it (deterministic key, create-only), then save the walk's checkpoint;
4. once the walk reached the cursor: advance the cursor, then drop the checkpoint.

A crash re-fetches at most the page after the last checkpoint, which lands on the same key.
A backfill (`ingest.id_backfill`) is the same walk between the trade ids found for
`--from`/`--to`; the steps both are made of are in `ingest.walk_steps`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from coinlake.bronze.lease import product_lease_name
from coinlake.bronze.state import WalkProgress, clear_progress, read_progress, read_trade_cursor
from coinlake.errors import ConfigError
from coinlake.ingest.pages import bad_page_lander, probe_newest
from coinlake.ingest.summary import ItemSummary
from coinlake.ingest.walk_steps import (
    Held,
    TradesRun,
    advance_cursor,
    held_lease,
    ran_out_of_trades,
    reset_hint,
    resume_walk,
    walk_and_land,
)
from coinlake.sources.idwalk import MAX_LIMIT, ExactWalk, TradesWalk, WalkStop

log = logging.getLogger(__name__)

Since = int | datetime
"""Where a product without a cursor starts: a trade id (included) or a time."""


def ingest_trades(
    run: TradesRun,
    product: str,
    since: Since | None = None,
    summary: ItemSummary | None = None,
) -> ItemSummary:
    """Land every trade of `product` above its cursor (incremental, gap-filling).

    Raises:
        CoinlakeError: the API or the store failed; what was landed and checkpointed stays.
    """
    summary = summary or ItemSummary(product, run.source_name, run.dataset)
    lease = product_lease_name(product, run.source_name, run.dataset)
    with held_lease(run, lease, summary) as held:
        if held is not None:
            _incremental(run, product, since, summary, held)
    return summary


def _incremental(
    run: TradesRun, product: str, since: Since | None, summary: ItemSummary, held: Held
) -> None:
    saved = read_progress(run.store, run.source_name, "walk", product)
    if saved is not None and not saved.done:
        walk: TradesWalk = resume_walk(saved, run)
        doc = saved
        summary.note = "resumed; "
        cursor = read_trade_cursor(run.store, run.source_name, run.dataset, product)
        summary.cursor = None if cursor is None else cursor.last_trade_id
    else:
        newest = probe_newest(run.store, run.walked, run.source, product, summary)
        cursor = read_trade_cursor(run.store, run.source_name, run.dataset, product)
        summary.cursor = None if cursor is None else cursor.last_trade_id
        if newest is None:
            summary.note = "no trades yet"
            return
        if cursor is not None and newest[0] <= cursor.last_trade_id:
            _up_to_date_or_ahead(run, cursor.last_trade_id, newest[0], summary)
            return
        stop_at = (
            cursor.last_trade_id
            if cursor
            else _stop_for_new_product(run, product, since, newest[0], summary)
        )
        walk = ExactWalk(
            stop_at_id=stop_at, start_after=newest[0] + 1, max_pages=run.max_pages,
            api=run.source_name,
        )  # fmt: skip
        now = run.clock.now()
        doc = WalkProgress(
            run.source_name, "walk", product, stop_at, walk.next_after, None, now, now, run.run_id,
            version=None if saved is None else saved.version,
        )  # fmt: skip
    walk_and_land(run, product, walk, doc, summary, held)
    # Only a product that had a cursor had a gap to fill: new ids run contiguously down to it, and
    # all but the newest page's worth would have been lost by a poller that reads only that page.
    if summary.cursor is not None:  # (a resumed walk's newest page came in an earlier run)
        newest_page = 0 if saved is not None and not saved.done else MAX_LIMIT
        summary.gaps_repaired = max(0, summary.trades - newest_page)
    summary.note += walk.stopped.value if walk.stopped else "not started"
    if walk.reached:
        advance_cursor(run, product, walk, summary)
        clear_progress(run.store, run.source_name, "walk", product)
    elif walk.stopped is WalkStop.MAX_PAGES:
        summary.status = "partial"
    elif walk.stopped is WalkStop.CURSOR_AHEAD:
        clear_progress(run.store, run.source_name, "walk", product)
        _up_to_date_or_ahead(run, walk.stop_at_id or 0, walk.top_id or 0, summary)
    elif walk.stopped is WalkStop.EXHAUSTED:
        ran_out_of_trades(run, walk, summary)
    cursor = read_trade_cursor(run.store, run.source_name, run.dataset, product)
    summary.cursor = None if cursor is None else cursor.last_trade_id


def _up_to_date_or_ahead(run: TradesRun, cursor: int, newest: int, summary: ItemSummary) -> None:
    if newest == cursor:
        summary.note = "up to date"
        return
    summary.status = "failed"
    summary.error = (
        f"the cursor ({cursor}) is ahead of the newest trade ({newest}): the API was reset or "
        "the lake belongs to another environment; check, then reset the cursor with "
        f"`{reset_hint(run, 'cursor', summary.name)}`"
    )


def _stop_for_new_product(
    run: TradesRun, product: str, since: Since | None, newest: int, summary: ItemSummary
) -> int:
    """The walk's stop for a product without a cursor: below `since`, the top of an unfinished
    backfill up to now, or one page down.

    Raises:
        ConfigError: `since` is a trade id above the next one to come (`newest + 1`); the walk
            would end at once and leave the cursor ahead of the exchange.
    """
    if isinstance(since, int):
        if since > newest + 1:
            raise ConfigError(
                f"--since {since} is above the newest {product} trade id ({newest}); give an id "
                "up to the next one, or a time"
            )
        return max(since - 1, 0)
    if isinstance(since, datetime):
        first = run.source.find_trade_id_at(
            product, since, on_bad_page=bad_page_lander(run.store, run.walked, summary)
        ).trade_id
        return 0 if first is None else max(first - 1, 0)
    backfill = read_progress(run.store, run.source_name, "backfill", product)
    if backfill is not None and not backfill.done and not backfill.params.get("to"):
        # An unfinished backfill up to now covers every id up to its top (or, before its first
        # page, below its start): continue right above it, or the ids in between would be lost
        # (the backfill, once done, does not move a cursor that is already past it).
        top = backfill.top_id if backfill.top_id is not None else (backfill.next_after or 1) - 1
        return max(0, min(top, newest))
    return max(newest - MAX_LIMIT, 0)
