"""The steps an id walk of one product is made of, shared by the incremental walk
(`ingest.id_walk`) and the backfill (`ingest.id_backfill`): the run's shared settings, the
product's lease, resuming a saved walk, landing its pages with a checkpoint after each, and
moving the cursor once the walk is complete.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta

from coinlake.bronze.lease import (
    DEFAULT_TTL,
    Lease,
    LeaseHeldError,
    acquire_lease,
    release_lease,
    renew_if_due,
)
from coinlake.bronze.state import WalkProgress, advance_trade_cursor, save_progress
from coinlake.domain.clock import Clock
from coinlake.ingest.pages import Walked, land_trades_page, land_unparsed_trades
from coinlake.ingest.summary import ItemSummary, NoProgress, Progress
from coinlake.sources.idwalk import ExactWalk, IdWalkPager, TradesPage, TradesWalk
from coinlake.storage.base import ObjectStore

log = logging.getLogger(__name__)


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


@dataclass(slots=True)
class Held:
    """The lease a product's run holds: renewing it changes its version, and the release at
    the end must present the latest one (else the lock stays taken until it expires)."""

    lease: Lease


@contextmanager
def held_lease(run: TradesRun, name: str, summary: ItemSummary) -> Iterator[Held | None]:
    """Hold the lease `name` for the block, released (its latest version) when the block ends
    however it ends; None, with `summary` marked `locked`, when another run holds it."""
    try:
        lease = acquire_lease(run.store, name, run.run_id, now=run.clock.now(), ttl=run.lease_ttl)
    except LeaseHeldError as exc:
        log.warning("skipping %s: %s", summary.name, exc, extra={"product": summary.name})
        summary.status = "locked"
        summary.note = str(exc)  # who holds it, when it frees, how to override
        yield None
        return
    held = Held(lease)
    try:
        yield held
    finally:
        release_lease(run.store, held.lease, now=run.clock.now())


def reset_hint(run: TradesRun, kind: str, product: str) -> str:
    """The exact command that clears `kind` state of `product` in this run's lake."""
    return f"coinlake --lake {shlex.quote(run.store.uri())} state reset {kind} {product}"


def ran_out_of_trades(run: TradesRun, walk: TradesWalk, summary: ItemSummary) -> None:
    """The exchange has no trades below `walk.next_after`, yet the walk's stop lies lower: ids
    the stop (the cursor) says exist do not. Fail loudly; resuming would only ask again."""
    summary.status = "failed"
    summary.error = (
        f"the exchange has no trades below id {walk.next_after}, but the walk was to reach id "
        f"{walk.stop_at_id}: the API was reset or the lake's state belongs to another "
        "environment; check, then reset the cursor with "
        f"`{reset_hint(run, 'cursor', summary.name)}` (or --restart the backfill)"
    )


def resume_walk(saved: WalkProgress, run: TradesRun) -> ExactWalk:
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


def advance_cursor(run: TradesRun, product: str, walk: TradesWalk, summary: ItemSummary) -> None:
    new = walk.checkpoint.new_cursor
    if new is not None:
        cursor = advance_trade_cursor(
            run.store, run.source_name, run.dataset, product, new,
            now=run.clock.now(), run_id=run.run_id,
        )  # fmt: skip
        summary.cursor = cursor.last_trade_id


def land_page(run: TradesRun, page: TradesPage, summary: ItemSummary) -> list[int] | None:
    """Land one page of a walk and return its trade ids (none for an empty page), or None for
    a page whose body did not parse: it is landed whole, and no checkpoint may follow it."""
    if page.trades is None:
        land_unparsed_trades(run.store, run.walked, page, summary)
        return None
    ids = [trade.trade_id for trade in page.trades]
    if ids:
        land_trades_page(run.store, run.walked, page, ids, summary)
    return ids


def walk_and_land(
    run: TradesRun,
    product: str,
    walk: TradesWalk,
    doc: WalkProgress,
    summary: ItemSummary,
    held: Held,
) -> WalkProgress:
    """Fetch and land every page of `walk`, saving the checkpoint after each landed page."""
    stop = walk.stop_at_id
    for page in run.source.walk_trades(product, walk):
        summary.pages += 1
        ids = land_page(run, page, summary)
        if ids is None:
            continue
        if ids:
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
