"""The standard jobs of `coinlake schedule` and `coinlake run`: one ingest job per registered
source, then the transforms.

Each firing builds its own API sources and engine and calls the code `coinlake ingest` and
`coinlake transform` call (`coinlake.app`), so a scheduled run and a manual one leave the same
lake. The transform job then runs the quality checks (`coinlake quality`) on the same engine: a
firing with an error-severity failure is reported as failed, its detail naming the checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from coinlake.app.ingest import SourcesFactory, ingest, open_sources
from coinlake.config import Settings
from coinlake.domain.clock import Clock
from coinlake.ingest.summary import RunSummary
from coinlake.quality.config import QualityConfig
from coinlake.storage.base import ObjectStore


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What one run of a job did: success, and a one-line account for the log."""

    ok: bool
    detail: str = ""


default_sources = open_sources
"""The API sources a scheduled run uses (`app.ingest.open_sources`)."""


def ingest_action(
    settings: Settings,
    store: ObjectStore,
    source: str,
    clock: Clock,
    sources: SourcesFactory = default_sources,
) -> Callable[[], JobOutcome]:
    """`coinlake ingest --source <source>` as a job."""

    def action() -> JobOutcome:
        summary = ingest(store, settings, source=source, clock=clock, sources=sources)
        return JobOutcome(ok=not summary.failed, detail=_ingest_detail(summary))

    return action


def _ingest_detail(summary: RunSummary) -> str:
    written = sum(item.objects_written for item in summary.items)
    trades = sum(item.trades for item in summary.items if item.dataset == "trades")
    failed = [f"{item.name} ({item.status})" for item in summary.items if item.failed]
    text = f"{written:,} objects, {trades:,} trades; run {summary.run_id}"
    return f"{text}; failed: {', '.join(failed)}" if failed else text


def transform_action(
    settings: Settings, threads: int = 2, quality: QualityConfig | None = None
) -> Callable[[], JobOutcome]:
    """`coinlake transform all` on the configured engine, then `coinlake quality` on the same
    engine, as a job (`quality` None: the default checks)."""
    checks = quality or QualityConfig()

    def action() -> JobOutcome:
        from coinlake.app.quality import transform_and_check

        summaries, checked = transform_and_check(
            settings, "all", checks, now=datetime.now(UTC), threads=threads
        )
        written = sum(s.rows_written for s in summaries)
        objects = sum(s.objects_read for s in summaries if s.table.startswith("silver."))
        failed = sorted({r.check for r in checked.failed("error")}) if checked else []
        ran = checked.checks if checked else 0
        detail = f"{objects:,} new Bronze objects, {written:,} rows; quality {ran} checks, " + (
            f"failed: {', '.join(failed)}" if failed else "no error"
        )
        return JobOutcome(ok=not failed, detail=detail)

    return action
