"""Backfills of id-walked datasets: the same walk as `ingest.id_walk`'s, between the trade ids
found for `--from`/`--to` (an id search), with its own checkpoint and lease, kept (`done`) once
complete so a repeated backfill is a no-op. A backfill up to now hands its top over as the
product's cursor.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from coinlake.bronze.lease import product_lease_name
from coinlake.bronze.state import WalkProgress, read_progress, read_trade_cursor, save_progress
from coinlake.domain.envelope import format_timestamp
from coinlake.errors import ConfigError
from coinlake.ingest.pages import bad_page_lander, probe_newest
from coinlake.ingest.summary import ItemSummary
from coinlake.ingest.walk_steps import (
    Held,
    TradesRun,
    advance_cursor,
    held_lease,
    ran_out_of_trades,
    resume_walk,
    walk_and_land,
)
from coinlake.sources.idwalk import ExactWalk, TradesWalk, WalkStop

log = logging.getLogger(__name__)

BACKFILL_LEASE = "-backfill"
"""The backfill lease of a dataset is `<dataset>-backfill` (`trades-backfill`)."""


def backfill_trades(
    run: TradesRun,
    product: str,
    start_at: datetime,
    end_at: datetime | None = None,
    *,
    restart: bool = False,
    summary: ItemSummary | None = None,
) -> ItemSummary:
    """Land the trades of `product` with `start_at <= time < end_at` (end None: up to now).

    `summary` (optional) receives the counts as they happen, so they survive a failure.
    Resumes an interrupted backfill of the same range; a completed one is not repeated unless
    `restart`.

    Raises:
        ConfigError: the range is empty, or a different backfill of the product is unfinished.
    """
    if end_at is not None and end_at <= start_at:
        raise ConfigError(f"backfill range is empty: {start_at} .. {end_at}")
    summary = summary or ItemSummary(product, run.source_name, run.dataset)
    lease = product_lease_name(product, run.source_name, f"{run.dataset}{BACKFILL_LEASE}")
    with held_lease(run, lease, summary) as held:
        if held is not None:
            _backfill(run, product, start_at, end_at, restart, summary, held)
    return summary


def _backfill(
    run: TradesRun,
    product: str,
    start_at: datetime,
    end_at: datetime | None,
    restart: bool,
    summary: ItemSummary,
    held: Held,
) -> None:
    params = {
        "from": format_timestamp(start_at),
        "to": "" if end_at is None else format_timestamp(end_at),
    }
    saved = read_progress(run.store, run.source_name, "backfill", product)
    if saved is not None and not restart:
        if saved.params != params and not saved.done:
            raise ConfigError(
                f"an unfinished backfill of {product} from {saved.params.get('from')} to "
                f"{saved.params.get('to') or 'now'} is saved; re-run it to finish it, or pass "
                "--restart to drop it"
            )
        if saved.params == params and saved.done:
            summary.note = "already complete"
            return
    if saved is not None and saved.params == params and not saved.done and not restart:
        walk, doc = resume_walk(saved, run), saved
        summary.note = "resumed; "
    else:
        plan = run.source.plan_backfill(
            product, start_at, end_at, on_bad_page=bad_page_lander(run.store, run.walked, summary)
        )
        start_after = plan.next_after
        if start_after is None:  # up to now: start above the newest trade, known exactly
            newest = probe_newest(run.store, run.walked, run.source, product, summary)
            start_after = None if newest is None else newest[0] + 1
        walk = ExactWalk(
            stop_at_id=plan.stop_at_id, start_after=start_after, max_pages=run.max_pages,
            api=run.source_name,
        )  # fmt: skip
        now = run.clock.now()
        doc = WalkProgress(
            run.source_name, "backfill", product, walk.stop_at_id, walk.next_after, None,
            now, now, run.run_id,
            params=params, version=None if saved is None else saved.version,
        )  # fmt: skip
        if walk.stop_at_id is None or (
            walk.next_after is not None and walk.next_after <= walk.stop_at_id + 1
        ):
            _hand_over_cursor(run, product, walk, params, summary)  # (quiet since the start)
            save_progress(run.store, replace(doc, done=True))
            summary.note = "no trades in the range"
            return
        doc = save_progress(run.store, doc)  # the id search is not repeated after a crash
    doc = walk_and_land(run, product, walk, doc, summary, held)
    summary.note += walk.stopped.value if walk.stopped else "not started"
    if walk.reached:
        # Cursor first, then `done`: a crash in between resumes the finished walk (nothing to
        # fetch) and marks it done; the other order could leave a "complete" backfill that
        # never handed its cursor over to ingest.
        _hand_over_cursor(run, product, walk, params, summary)
        save_progress(run.store, replace(doc, done=True, updated_at=run.clock.now()))
    elif walk.stopped is WalkStop.MAX_PAGES:
        summary.status = "partial"
    elif walk.stopped is WalkStop.EXHAUSTED:
        ran_out_of_trades(run, walk, summary)
    cursor = read_trade_cursor(run.store, run.source_name, run.dataset, product)
    summary.cursor = None if cursor is None else cursor.last_trade_id


def _hand_over_cursor(
    run: TradesRun, product: str, walk: TradesWalk, params: dict[str, str], summary: ItemSummary
) -> None:
    """A finished backfill up to now (no `to`) reaches the newest trade: its top becomes the
    cursor, unless an older cursor would then jump over trades between it and the range."""
    if params["to"] or walk.stop_at_id is None:
        return
    cursor = read_trade_cursor(run.store, run.source_name, run.dataset, product)
    if cursor is None or cursor.last_trade_id >= walk.stop_at_id:
        advance_cursor(run, product, walk, summary)
