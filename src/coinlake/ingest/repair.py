"""Gap repair: fetch exactly the missing trade-id ranges the completeness check found.

For each range `low..high` of a product, one exact walk pages down with `after = high + 1`
until it reaches `low` (the last page is cut to end there), and lands every page as a normal
Bronze trades page (deterministic key, create-only). Ids of the range the exchange did not
return are ranges it cannot serve: they are recorded under `_state/quality/unservable/`, so the
completeness check reports them as unservable (warn) instead of repairable (error), and the
next repair does not ask again. The product's ingest lease is held meanwhile (a repair and an
ingest of the same product never interleave); cursors are never moved.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from coinlake.bronze.lease import product_lease_name, renew_if_due
from coinlake.errors import CoinlakeError
from coinlake.ingest.summary import ItemSummary
from coinlake.ingest.walk_steps import Held, TradesRun, held_lease, land_page
from coinlake.quality.gaps import IdRange, unservable_document, unservable_key
from coinlake.sources.idwalk import ExactWalk

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RangeRepair:
    """What the repair of one range did."""

    gap: IdRange
    fetched: int = 0
    """Ids of the range the exchange returned (now in Bronze)."""
    pages: int = 0
    unservable: list[IdRange] = field(default_factory=list)
    """Sub-ranges the exchange did not return."""
    error: str | None = None


def missing_ranges(gap: IdRange, got: set[int]) -> list[IdRange]:
    """The runs of ids of `gap` absent from `got`, as unservable ranges."""
    found: list[IdRange] = []
    start: int | None = None
    for trade_id in range(gap.low, gap.high + 2):
        absent = trade_id <= gap.high and trade_id not in got
        if absent and start is None:
            start = trade_id
        elif not absent and start is not None:
            found.append(IdRange(gap.product, start, trade_id - 1, False))
            start = None
    return found


def _repair_range(run: TradesRun, gap: IdRange, held: Held, summary: ItemSummary) -> RangeRepair:
    done = RangeRepair(gap)
    walk = ExactWalk(stop_at_id=gap.low - 1, start_after=gap.high + 1, api=run.source_name)
    got: set[int] = set()
    for page in run.source.walk_trades(gap.product, walk):
        done.pages += 1
        summary.pages += 1
        ids = land_page(run, page, summary)
        if ids is None:
            continue
        if ids:
            inside = sorted({i for i in ids if gap.low <= i <= gap.high})
            got.update(inside)
            summary.count_trades(inside)
        held.lease = renew_if_due(run.store, held.lease, now=run.clock.now(), ttl=run.lease_ttl)
    done.fetched = len(got)
    done.unservable = missing_ranges(gap, got)
    return done


def _record_unservable(run: TradesRun, product: str, found: Sequence[IdRange]) -> None:
    key = unservable_key(product)
    earlier: list[IdRange] = []
    if run.store.exists(key):
        document = json.loads(run.store.get(key))
        earlier = [IdRange(product, int(a), int(b), False) for a, b in document.get("ranges", [])]
    data = unservable_document(product, [*earlier, *found])
    run.store.put(key, json.dumps(data).encode("utf-8") + b"\n")


def repair_gaps(
    run: TradesRun, gaps: Sequence[IdRange]
) -> tuple[list[ItemSummary], list[RangeRepair]]:
    """Fetch every servable range of `gaps`, product by product; record what the exchange
    could not serve. A product whose lease is held by another run is skipped (`locked`)."""
    summaries: list[ItemSummary] = []
    repairs: list[RangeRepair] = []
    for product in sorted({g.product for g in gaps if g.servable}):
        summary = ItemSummary(product, run.source_name, run.dataset, note="gap repair")
        summaries.append(summary)
        name = product_lease_name(product, run.source_name, run.dataset)
        with held_lease(run, name, summary) as held:
            if held is None:
                continue
            for gap in sorted(g for g in gaps if g.product == product and g.servable):
                try:
                    repair = _repair_range(run, gap, held, summary)
                except CoinlakeError as exc:
                    repair = RangeRepair(gap, error=str(exc))
                    summary.status, summary.error = "failed", str(exc)
                repairs.append(repair)
                if repair.unservable:
                    _record_unservable(run, product, repair.unservable)
                log.info(
                    "repaired %s: %d of %d ids fetched, %d unservable",
                    gap, repair.fetched, gap.size, sum(r.size for r in repair.unservable),
                    extra={"product": product},
                )  # fmt: skip
                if repair.error:
                    break
    return summaries, repairs
