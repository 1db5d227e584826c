"""Runs: every configured product and dataset, each independent, with a run record.

`run_ingest` is the scheduled job (CLI `coinlake ingest`, the Lambda handler); `run_backfill`
fills a past range. One item's failure (an API that keeps failing, a page that never parses) is
recorded in its `ItemSummary` and the others go on; the caller decides the exit code from
`RunSummary.failed`. The run record (`_state/runs/<date>/<run_id>.json`) is written when the run
starts and again when it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from coinlake.bronze.lease import DEFAULT_TTL
from coinlake.bronze.state import RunRecord, new_run_id, write_run_record
from coinlake.domain.clock import Clock
from coinlake.errors import CoinlakeError, ConfigError
from coinlake.ingest.id_backfill import backfill_trades
from coinlake.ingest.id_walk import Since, ingest_trades
from coinlake.ingest.snapshot import ingest_snapshot, ingest_windows
from coinlake.ingest.summary import ItemSummary, NoProgress, Progress, RunSummary
from coinlake.ingest.walk_steps import TradesRun
from coinlake.sources.paging import Dataset, SourceSpec
from coinlake.sources.registry import ALL, Sources
from coinlake.storage.base import ObjectStore

__all__ = [
    "INTERRUPTED",
    "RunInterrupted",
    "RunOptions",
    "RunSummary",
    "SourceChoice",
    "Sources",
    "run_backfill",
    "run_ingest",
]

log = logging.getLogger(__name__)

SourceChoice = str
"""`all` or a registered source name (`REGISTRY.choices()`)."""
Job = tuple[ItemSummary, Callable[..., ItemSummary]]
"""One item of a run: its empty summary and the work that fills it (`work(summary=...)`)."""
INTERRUPTED = "interrupted (Ctrl-C); run the same command again to continue"


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; `summary` holds what it did (its run record is written, the
    interrupted product's lease released and its last checkpoint kept)."""

    def __init__(self, summary: RunSummary) -> None:
        super().__init__(INTERRUPTED)
        self.summary = summary


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How a run behaves beyond the settings."""

    progress: Progress = field(default_factory=NoProgress)
    lease_ttl: timedelta = DEFAULT_TTL
    max_pages: int | None = None
    """Page budget per product (incremental walks resume next run)."""
    run_id: str | None = None
    command: str = "ingest"


def run_ingest(
    store: ObjectStore,
    sources: Sources,
    *,
    source: SourceChoice = ALL,
    products: Sequence[str] | None = None,
    since: Since | None = None,
    options: RunOptions | None = None,
) -> RunSummary:
    """Every `ingest` dataset of the chosen source(s): snapshots, and incremental id walks of
    every product.

    Args:
        store: the lake.
        sources: the API sources.
        source: `all` or a registered source name.
        products: the items of id-walked datasets (default: the dataset's own, from settings).
        since: where a product without a cursor starts (time or trade id); default its newest
            page.
        options: progress, lease TTL, page budget, run id and command name.

    Raises:
        ConfigError: `source` is not registered.
    """
    options = options or RunOptions()
    specs = sources.registry.selected(source)
    summary, record = _start(store, sources.clock, options)
    jobs: list[Job] = []
    for spec in specs:
        for dataset in spec.datasets:
            if not dataset.ingest:
                continue
            if dataset.paging == "snapshot":
                client = partial(sources.client, spec.name)
                work = partial(_snapshot, store, client, spec.name, dataset)
                jobs.append((ItemSummary(dataset.name, spec.name, dataset.name), work))
            elif dataset.paging == "id_walk":
                run = _walk_run(store, sources, spec, dataset, summary.run_id, options)
                for product in _items(sources, dataset, products):
                    work = partial(ingest_trades, run, product, since)
                    jobs.append((ItemSummary(product, spec.name, dataset.name), work))
    return _run_jobs(store, sources.clock, summary, record, jobs)


def run_backfill(
    store: ObjectStore,
    sources: Sources,
    *,
    start_at: datetime,
    end_at: datetime | None = None,
    source: SourceChoice = ALL,
    products: Sequence[str] | None = None,
    trades: bool = True,
    candles_granularity_s: int | None = None,
    restart: bool = False,
    options: RunOptions | None = None,
) -> RunSummary:
    """Fill `[start_at, end_at)` (end None or not past yet: up to now) for every `backfill`
    dataset of the chosen source(s): id walks (id search, resumable) when `trades`, windowed
    datasets per item (those needing `granularity_s` only when `candles_granularity_s` is given).

    Raises:
        ConfigError: the range is empty or in the future, or `source` is not registered.
    """
    options = options or RunOptions(command="backfill")
    now = sources.clock.now()
    if end_at is not None and end_at >= now:
        # An end still to come (`--to` today) is "up to now": the backfill then hands over to
        # `ingest` (it sets the cursor) instead of being done while its range still grows.
        log.info("backfill end %s is not past yet: backfilling up to now", end_at)
        end_at = None
    if start_at >= (end_at or now):
        raise ConfigError(f"backfill range is empty: from {start_at} to {end_at or 'now'}")
    specs = sources.registry.selected(source)
    window_options = {}
    if candles_granularity_s is not None:
        window_options["granularity_s"] = str(candles_granularity_s)
    summary, record = _start(store, sources.clock, options)
    jobs: list[Job] = []
    for spec in specs:
        for dataset in spec.datasets:
            if not dataset.backfill or not set(dataset.requires) <= set(window_options):
                continue
            for item in _items(sources, dataset, products):
                if dataset.paging == "id_walk" and trades:
                    run = _walk_run(store, sources, spec, dataset, summary.run_id, options)
                    work = partial(backfill_trades, run, item, start_at, end_at, restart=restart)
                elif dataset.paging == "windows":
                    client = partial(sources.client, spec.name)
                    work = partial(
                        _windows, store, client, spec.name, dataset, item, start_at,
                        end_at or now, window_options, options.progress,
                    )  # fmt: skip
                else:
                    continue
                jobs.append((ItemSummary(item, spec.name, dataset.name), work))
    return _run_jobs(store, sources.clock, summary, record, _by_item(jobs, specs))


def _by_item(jobs: list[Job], specs: Sequence[SourceSpec]) -> list[Job]:
    """Jobs item by item within each source (a product's trades, then its candles)."""
    order = {spec.name: index for index, spec in enumerate(specs)}
    first: dict[str, int] = {}
    for index, (empty, _) in enumerate(jobs):
        first.setdefault(empty.name, index)
    return sorted(jobs, key=lambda job: (order[job[0].source], first[job[0].name]))


def _items(sources: Sources, dataset: Dataset, products: Sequence[str] | None) -> Sequence[str]:
    """The items of a run: `--product` for product datasets, else the dataset's own."""
    if products and "product" in dataset.keys.folders:
        return products
    return () if dataset.items is None else dataset.items(sources.settings)


def _snapshot(
    store: ObjectStore,
    client: Callable[[], Any],
    source: str,
    dataset: Dataset,
    summary: ItemSummary,
) -> ItemSummary:
    return ingest_snapshot(store, client(), source, dataset, summary)


def _windows(
    store: ObjectStore,
    client: Callable[[], Any],
    source: str,
    dataset: Dataset,
    item: str,
    start_at: datetime,
    end_at: datetime,
    window_options: dict[str, str],
    progress: Progress,
    summary: ItemSummary,
) -> ItemSummary:
    return ingest_windows(
        store, client(), source, dataset, item, start_at, end_at, window_options, progress, summary
    )


def _walk_run(
    store: ObjectStore,
    sources: Sources,
    spec: SourceSpec,
    dataset: Dataset,
    run_id: str,
    options: RunOptions,
) -> TradesRun:
    return TradesRun(
        store=store,
        source=sources.client(spec.name),
        source_name=spec.name,
        dataset=dataset.name,
        clock=sources.clock,
        run_id=run_id,
        progress=options.progress,
        lease_ttl=options.lease_ttl,
        max_pages=options.max_pages,
        title=spec.display_name,
    )


def _start(store: ObjectStore, clock: Clock, options: RunOptions) -> tuple[RunSummary, RunRecord]:
    started = clock.now()
    run_id = options.run_id or new_run_id(started)
    summary = RunSummary(run_id, options.command, started)
    record = RunRecord(run_id, options.command, started)
    summary.record_key = write_run_record(store, record)
    log.info("%s run %s started", options.command, run_id, extra={"run_id": run_id})
    return summary, record


def _finish(store: ObjectStore, clock: Clock, summary: RunSummary, record: RunRecord) -> RunSummary:
    summary.finished_at = clock.now()
    final = RunRecord(
        record.run_id,
        record.command,
        record.started_at,
        status=summary.status,
        finished_at=summary.finished_at,
        summary=summary.to_json(),
    )
    try:
        write_run_record(store, final)
    except CoinlakeError as exc:  # the data and cursors are in place; only the record is missing
        log.error("could not write the run record of %s: %s", summary.run_id, exc)
    log.info(
        "%s run %s finished: %s, %d objects written, %d trades",
        summary.command,
        summary.run_id,
        summary.status,
        sum(item.objects_written for item in summary.items),
        sum(item.trades for item in summary.items if item.dataset == "trades"),
        extra={"run_id": summary.run_id},
    )
    return summary


def _run_jobs(
    store: ObjectStore, clock: Clock, summary: RunSummary, record: RunRecord, jobs: list[Job]
) -> RunSummary:
    """Every job in turn, then the final run record; also after Ctrl-C (`RunInterrupted`)."""
    try:
        for empty, work in jobs:
            _guarded(summary, empty, work)
    except KeyboardInterrupt as exc:
        _finish(store, clock, summary, record)
        raise RunInterrupted(summary) from exc
    return _finish(store, clock, summary, record)


def _guarded(summary: RunSummary, empty: ItemSummary, work: Callable[..., ItemSummary]) -> None:
    """Run one item, counting into `empty`; a failure is recorded on it and the run goes on."""
    context = {"source": empty.source, "dataset": empty.dataset, "product": empty.name}
    try:
        item = work(summary=empty)
    except KeyboardInterrupt:
        log.info("%s %s %s interrupted", empty.source, empty.dataset, empty.name, extra=context)
        summary.items.append(_failed(empty, INTERRUPTED))
        raise
    except CoinlakeError as exc:
        log.error(
            "%s %s %s failed: %s", empty.source, empty.dataset, empty.name, exc, extra=context
        )
        item = _failed(empty, str(exc))
    except Exception as exc:  # one product's bug must not stop the others; logged in full
        log.exception("%s %s %s failed", empty.source, empty.dataset, empty.name, extra=context)
        item = _failed(empty, f"unexpected {type(exc).__name__}: {exc}")
    summary.items.append(item)


def _failed(empty: ItemSummary, error: str) -> ItemSummary:
    empty.status = "failed"
    empty.error = error
    return empty
