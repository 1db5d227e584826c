"""Id-walked datasets (trades) into Bronze without gaps or duplicates: incremental
walks and backfills. The run's source and dataset key its cursors, checkpoints and leases.

Per product, in the order that makes a crash lose nothing (see `docs/ingest.md`):

1. take the product's lease (one run at a time; a held lease skips the product);
2. resume the saved walk, or start one down to the cursor (the last id landed), to `--since`
   (a time or a trade id) or, for a product never seen, one page below the newest trade;
3. for each page: land it (deterministic key, create-only), then save the walk's checkpoint;
4. once the walk reached the cursor: advance the cursor, then drop the checkpoint.

A crash re-fetches at most the page after the last checkpoint, which lands on the same key.
A backfill is the same walk between the trade ids found for `--from`/`--to` (id search), with its
own checkpoint and lease, kept (`done`) once complete so a repeated backfill is a no-op.
"""

from __future__ import annotations

import logging
import shlex
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from coinlake.bronze.lease import (
    DEFAULT_TTL,
    Lease,
    LeaseHeldError,
    acquire_lease,
    product_lease_name,
    release_lease,
    renew_if_due,
)
from coinlake.bronze.state import (
    WalkProgress,
    advance_trade_cursor,
    clear_progress,
    read_progress,
    read_trade_cursor,
    save_progress,
)
from coinlake.domain.clock import Clock
from coinlake.domain.envelope import format_timestamp
from coinlake.errors import ConfigError
from coinlake.ingest.pages import (
    Walked,
    bad_page_lander,
    land_trades_page,
    land_unparsed_trades,
    probe_newest,
)
from coinlake.ingest.summary import ItemSummary, NoProgress, Progress
from coinlake.sources.idwalk import MAX_LIMIT, ExactWalk, IdWalkPager, TradesWalk, WalkStop
from coinlake.storage.base import ObjectStore

log = logging.getLogger(__name__)

Since = int | datetime
"""Where a product without a cursor starts: a trade id (included) or a time."""
BACKFILL_LEASE = "-backfill"
"""The backfill lease of a dataset is `<dataset>-backfill` (`trades-backfill`)."""


@dataclass(frozen=True, slots=True)
class TradesRun:
    """What every product of one run shares."""

    store: ObjectStore
    source: IdWalkPager
    """The opened client (`walk_trades`, `fetch_trades_page`, `find_trade_id_at`, ...)."""
    source_name: str
    """The registered source: `source=` of the Bronze keys, cursors and leases."""
    dataset: str
    """The id-walked dataset."""
    clock: Clock
    run_id: str
    progress: Progress = field(default_factory=NoProgress)
    lease_ttl: timedelta = DEFAULT_TTL
    max_pages: int | None = None
    """Page budget per product and run (e.g. a Lambda's time); the walk resumes next run."""
    title: str = ""
    """The API's name in messages (`SourceSpec.display_name`); empty: `source_name`."""

    @property
    def walked(self) -> Walked:
        """Where the run's pages land."""
        return Walked(self.source_name, self.dataset, self.title)


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
    held = _take_lease(run, product_lease_name(product, run.source_name, run.dataset), summary)
    if held is None:
        return summary
    try:
        _incremental(run, product, since, summary, held)
    finally:
        release_lease(run.store, held.lease, now=run.clock.now())
    return summary


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
    held = _take_lease(run, lease, summary)
    if held is None:
        return summary
    try:
        _backfill(run, product, start_at, end_at, restart, summary, held)
    finally:
        release_lease(run.store, held.lease, now=run.clock.now())
    return summary


@dataclass(slots=True)
class _Held:
    """The lease a product's run holds: renewing it changes its version, and the release at
    the end must present the latest one (else the lock stays taken until it expires)."""

    lease: Lease


def _take_lease(run: TradesRun, name: str, summary: ItemSummary) -> _Held | None:
    try:
        lease = acquire_lease(run.store, name, run.run_id, now=run.clock.now(), ttl=run.lease_ttl)
    except LeaseHeldError as exc:
        log.warning("skipping %s: %s", summary.name, exc, extra={"product": summary.name})
        summary.status = "locked"
        summary.note = str(exc)  # who holds it, when it frees, how to override
        return None
    return _Held(lease)


def _incremental(
    run: TradesRun, product: str, since: Since | None, summary: ItemSummary, held: _Held
) -> None:
    saved = read_progress(run.store, run.source_name, "walk", product)
    if saved is not None and not saved.done:
        walk: TradesWalk = _resume(saved, run)
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
    _walk_and_land(run, product, walk, doc, summary, held)
    # Only a product that had a cursor had a gap to fill: new ids run contiguously down to it, and
    # all but the newest page's worth would have been lost by a poller that reads only that page.
    if summary.cursor is not None:  # (a resumed walk's newest page came in an earlier run)
        newest_page = 0 if saved is not None and not saved.done else MAX_LIMIT
        summary.gaps_repaired = max(0, summary.trades - newest_page)
    summary.note += walk.stopped.value if walk.stopped else "not started"
    if walk.reached:
        _advance_cursor(run, product, walk, summary)
        clear_progress(run.store, run.source_name, "walk", product)
    elif walk.stopped is WalkStop.MAX_PAGES:
        summary.status = "partial"
    elif walk.stopped is WalkStop.CURSOR_AHEAD:
        clear_progress(run.store, run.source_name, "walk", product)
        _up_to_date_or_ahead(run, walk.stop_at_id or 0, walk.top_id or 0, summary)
    elif walk.stopped is WalkStop.EXHAUSTED:
        _ran_out_of_trades(run, walk, summary)
    cursor = read_trade_cursor(run.store, run.source_name, run.dataset, product)
    summary.cursor = None if cursor is None else cursor.last_trade_id


def _reset_hint(run: TradesRun, kind: str, product: str) -> str:
    """The exact command that clears `kind` state of `product` in this run's lake."""
    return f"coinlake --lake {shlex.quote(run.store.uri())} state reset {kind} {product}"


def _up_to_date_or_ahead(run: TradesRun, cursor: int, newest: int, summary: ItemSummary) -> None:
    if newest == cursor:
        summary.note = "up to date"
        return
    summary.status = "failed"
    summary.error = (
        f"the cursor ({cursor}) is ahead of the newest trade ({newest}): the API was reset or "
        "the lake belongs to another environment; check, then reset the cursor with "
        f"`{_reset_hint(run, 'cursor', summary.name)}`"
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


def _backfill(
    run: TradesRun,
    product: str,
    start_at: datetime,
    end_at: datetime | None,
    restart: bool,
    summary: ItemSummary,
    held: _Held,
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
        walk, doc = _resume(saved, run), saved
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
    doc = _walk_and_land(run, product, walk, doc, summary, held)
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
        _ran_out_of_trades(run, walk, summary)
    cursor = read_trade_cursor(run.store, run.source_name, run.dataset, product)
    summary.cursor = None if cursor is None else cursor.last_trade_id


def _ran_out_of_trades(run: TradesRun, walk: TradesWalk, summary: ItemSummary) -> None:
    """The exchange has no trades below `walk.next_after`, yet the walk's stop lies lower: ids
    the stop (the cursor) says exist do not. Fail loudly; resuming would only ask again."""
    summary.status = "failed"
    summary.error = (
        f"the exchange has no trades below id {walk.next_after}, but the walk was to reach id "
        f"{walk.stop_at_id}: the API was reset or the lake's state belongs to another "
        "environment; check, then reset the cursor with "
        f"`{_reset_hint(run, 'cursor', summary.name)}` (or --restart the backfill)"
    )


def _hand_over_cursor(
    run: TradesRun, product: str, walk: TradesWalk, params: dict[str, str], summary: ItemSummary
) -> None:
    """A finished backfill up to now (no `to`) reaches the newest trade: its top becomes the
    cursor, unless an older cursor would then jump over trades between it and the range."""
    if params["to"] or walk.stop_at_id is None:
        return
    cursor = read_trade_cursor(run.store, run.source_name, run.dataset, product)
    if cursor is None or cursor.last_trade_id >= walk.stop_at_id:
        _advance_cursor(run, product, walk, summary)


def _resume(saved: WalkProgress, run: TradesRun) -> ExactWalk:
    log.info(
        "resuming the %s of %s below id %s (stop at %s)",
        saved.kind,
        saved.product,
        saved.next_after,
        saved.stop_at_id,
        extra={"product": saved.product},
    )
    return ExactWalk(
        stop_at_id=saved.stop_at_id,
        start_after=saved.next_after,
        top_id=saved.top_id,
        max_pages=run.max_pages,
        api=run.source_name,
    )


def _advance_cursor(run: TradesRun, product: str, walk: TradesWalk, summary: ItemSummary) -> None:
    new = walk.checkpoint.new_cursor
    if new is not None:
        cursor = advance_trade_cursor(
            run.store, run.source_name, run.dataset, product, new,
            now=run.clock.now(), run_id=run.run_id,
        )  # fmt: skip
        summary.cursor = cursor.last_trade_id


def _walk_and_land(
    run: TradesRun,
    product: str,
    walk: TradesWalk,
    doc: WalkProgress,
    summary: ItemSummary,
    held: _Held,
) -> WalkProgress:
    """Fetch and land every page of `walk`, saving the checkpoint after each landed page."""
    stop = walk.stop_at_id
    for page in run.source.walk_trades(product, walk):
        summary.pages += 1
        if page.trades is None:
            land_unparsed_trades(run.store, run.walked, page, summary)
            continue
        if page.trades:
            ids = [trade.trade_id for trade in page.trades]
            land_trades_page(run.store, run.walked, page, ids, summary)
            new_ids = [i for i in set(ids) if stop is None or i > stop]  # a row sent twice: once
            summary.count_trades(new_ids)
        # Still ours? (renewed when due; a run paused past the TTL stops before writing state)
        held.lease = renew_if_due(run.store, held.lease, now=run.clock.now(), ttl=run.lease_ttl)
        checkpoint = walk.checkpoint
        doc = save_progress(
            run.store,
            replace(
                doc,
                next_after=checkpoint.next_after,
                top_id=checkpoint.top_id,
                updated_at=run.clock.now(),
                run_id=run.run_id,
            ),
        )
        run.progress.update(
            product,
            pages=summary.pages,
            trades=summary.trades,
            total=_estimate(walk),
        )
    return doc


def _estimate(walk: TradesWalk) -> int | None:
    """Trades the whole walk will have landed (for the ETA), once the first page is known."""
    if walk.stop_at_id is None or walk.top_id is None:
        return None
    return max(walk.top_id - walk.stop_at_id, walk.trades)
