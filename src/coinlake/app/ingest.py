"""Ingestion as every entry point runs it: open the registered sources, check, run, close.

`coinlake ingest`/`backfill` (cli/ingest.py), the demo (cli/demo.py), the scheduler
(schedule/jobs.py) and the Lambda handler (runtime/lambda_ingest.py) all call `ingest` or
`backfill` here; they differ only in how they read their input and report the summary.
`sources` is the seam: a factory `(settings, clock) -> Sources` that a test replaces to hand
in clients on a sandbox or a fake transport.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from coinlake.domain.clock import Clock, SystemClock
from coinlake.errors import CoinlakeError, ConfigError
from coinlake.ingest.id_walk import Since
from coinlake.ingest.run import RunOptions, run_backfill, run_ingest
from coinlake.ingest.summary import RunSummary
from coinlake.sources.paging import InputChecker
from coinlake.sources.registry import ALL, REGISTRY, Sources
from coinlake.storage.base import ObjectStore

if TYPE_CHECKING:  # the settings (pydantic) are loaded by the entry point, not at import
    from coinlake.config import Settings

log = logging.getLogger(__name__)

SourcesFactory = Callable[["Settings", Clock], Sources]


def open_sources(settings: Settings, clock: Clock) -> Sources:
    """The registered sources for a run (each opens its client on first use)."""
    return Sources.for_settings(settings, clock)


def source_choices() -> tuple[str, ...]:
    """`all` and every registered source: the CLI's `--source`, the scheduler's jobs and the
    Lambda event's `source` all take these."""
    return REGISTRY.choices()


def check_items(
    sources: Sources,
    source: str,
    items: Sequence[str],
    store: ObjectStore | None = None,
) -> None:
    """Ask each chosen source that can whether `items` (products) exist and, given the lake
    (where the API's name lists are cached), whether its own configured names do (CoinGecko's
    coins and currencies), before a run lands anything.

    A source that cannot be asked (network down) is left to fail in the run itself, product by
    product, as it would without the check.

    Raises:
        ConfigError: a source does not know an item or a name (the message names it, with
            suggestions): a setting to fix, so nothing was fetched.
    """
    for spec in sources.registry.selected(source):
        if spec.check_items is not None:
            spec.check_items(sources.client(spec.name), items)
        client = sources.client(spec.name) if store is not None else None
        if store is None or not isinstance(client, InputChecker):
            continue
        try:
            client.check_inputs(store, spec.datasets[0].name, None)
        except ConfigError:
            raise
        except CoinlakeError as exc:
            log.warning("could not check %s's names before the run: %s", spec.name, exc)


def ingest(
    store: ObjectStore,
    settings: Settings,
    *,
    source: str = ALL,
    products: Sequence[str] | None = None,
    since: Since | None = None,
    options: RunOptions | None = None,
    clock: Clock | None = None,
    sources: SourcesFactory = open_sources,
    check: bool = False,
) -> RunSummary:
    """One `ingest` run (see `coinlake.ingest.run.run_ingest`); `check` first asks the
    sources whether the products and their configured names exist (`check_items`).

    Raises:
        ConfigError: an unknown source, product, coin or currency.
        RunInterrupted: Ctrl-C (its summary is attached).
    """
    with sources(settings, clock or SystemClock()) as opened:
        if check:
            check_items(opened, source, products or settings.products, store)
        return run_ingest(
            store, opened, source=source, products=products, since=since, options=options
        )


def backfill(
    store: ObjectStore,
    settings: Settings,
    *,
    start_at: datetime,
    end_at: datetime | None = None,
    source: str = ALL,
    products: Sequence[str] | None = None,
    trades: bool = True,
    candles_granularity_s: int | None = None,
    restart: bool = False,
    options: RunOptions | None = None,
    clock: Clock | None = None,
    sources: SourcesFactory = open_sources,
    check: bool = False,
) -> RunSummary:
    """One `backfill` run (see `coinlake.ingest.run.run_backfill`).

    Raises:
        ConfigError: an empty or future range, an unknown source or product.
        RunInterrupted: Ctrl-C (its summary is attached).
    """
    with sources(settings, clock or SystemClock()) as opened:
        if check:
            check_items(opened, source, products or settings.products, store)
        return run_backfill(
            store,
            opened,
            start_at=start_at,
            end_at=end_at,
            source=source,
            products=products,
            trades=trades,
            candles_granularity_s=candles_granularity_s,
            restart=restart,
            options=options,
        )
