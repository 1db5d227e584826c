"""The standard jobs of `coinlake schedule`: Coinbase trades, CoinGecko snapshots, transforms.

Each firing builds its own API sources and engine and calls the code `coinlake ingest` and
`coinlake transform` call, so a scheduled run and a manual one leave the same lake.
"""

from __future__ import annotations

from collections.abc import Callable

from coinlake.config import Settings
from coinlake.domain.clock import Clock
from coinlake.ingest.run import SourceChoice, Sources, run_ingest
from coinlake.ingest.summary import RunSummary
from coinlake.schedule.loop import JobOutcome
from coinlake.storage.base import ObjectStore

SourcesFactory = Callable[[Settings, Clock], Sources]


def default_sources(settings: Settings, clock: Clock) -> Sources:
    """The API sources a scheduled run uses (`Sources.for_settings`)."""
    return Sources.for_settings(settings, clock)


def ingest_action(
    settings: Settings,
    store: ObjectStore,
    source: SourceChoice,
    clock: Clock,
    sources: SourcesFactory = default_sources,
) -> Callable[[], JobOutcome]:
    """`coinlake ingest --source <source>` as a job."""

    def action() -> JobOutcome:
        with sources(settings, clock) as opened:
            summary = run_ingest(store, opened, source=source)
        return JobOutcome(ok=not summary.failed, detail=_ingest_detail(summary))

    return action


def _ingest_detail(summary: RunSummary) -> str:
    written = sum(item.objects_written for item in summary.items)
    trades = sum(item.trades for item in summary.items if item.dataset == "trades")
    failed = [f"{item.name} ({item.status})" for item in summary.items if item.failed]
    text = f"{written:,} objects, {trades:,} trades; run {summary.run_id}"
    return f"{text}; failed: {', '.join(failed)}" if failed else text


def transform_action(settings: Settings, threads: int = 2) -> Callable[[], JobOutcome]:
    """`coinlake transform all` on the configured engine as a job."""

    def action() -> JobOutcome:
        from coinlake.app.transform import transform

        summaries = transform(settings, "all", threads=threads)
        written = sum(s.rows_written for s in summaries)
        objects = sum(s.objects_read for s in summaries if s.table.startswith("silver."))
        return JobOutcome(ok=True, detail=f"{objects:,} new Bronze objects, {written:,} rows")

    return action
