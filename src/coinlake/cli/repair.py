"""`coinlake backfill --repair-gaps [--product ...]`: land the missing trade-id ranges.

Finds the missing ranges with the completeness check's SQL (DuckDB over the local lake),
fetches the servable ones (`coinlake.ingest.repair`), reports the ranges the exchange did not
serve, then runs the transforms and the check again so the printed completeness is the lake's.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from coinlake.cli.common import console
from coinlake.cli.output import Column, print_table

if TYPE_CHECKING:
    from coinlake.config import Settings
    from coinlake.quality.config import QualityConfig
    from coinlake.quality.gaps import IdRange
    from coinlake.storage.base import ObjectStore

EXIT_FAILED = 1


def _find(settings: Settings, config: QualityConfig, products: Sequence[str]) -> list[IdRange]:
    from coinlake.app.quality import find_gaps

    gaps = find_gaps(settings, config, now=datetime.now(UTC), threads=os.cpu_count() or 2)
    return [g for g in gaps if not products or g.product in products]


REPAIR_COLUMNS = (
    Column("product", key=True),
    Column("missing ids", numeric=True),
    Column("count", numeric=True),
    Column("fetched", numeric=True),
    Column("pages", numeric=True, optional=True),
    Column("not served", wrap=True),
)


def repair_command(
    settings: Settings,
    store: ObjectStore,
    config: QualityConfig,
    products: Sequence[str],
) -> None:
    """Run the repair and print what it did; exit 1 when a product failed or ids the exchange
    can serve are still missing afterwards."""
    from coinlake.app.ingest import open_sources
    from coinlake.app.transform import transform
    from coinlake.bronze.state import new_run_id
    from coinlake.domain.clock import SystemClock
    from coinlake.ingest.repair import repair_gaps
    from coinlake.ingest.walk_steps import TradesRun
    from coinlake.sources.registry import REGISTRY

    gaps = _find(settings, config, products)
    servable = [g for g in gaps if g.servable]
    for gap in gaps:
        if not gap.servable:
            console.print(f"{gap}: {gap.size:,} ids the exchange did not serve before (skipped)")
    if not servable:
        console.print("no missing trade ids the exchange can serve: nothing to repair")
        return
    # The completeness check reads the id cursors of the registered id-walked dataset(s); the
    # built-in one (the first registered) is the one `silver_trades` is built from.
    source, dataset = REGISTRY.id_walked()[0]
    with open_sources(settings, SystemClock()) as sources:
        clock = sources.clock
        run = TradesRun(
            store, sources.client(source), source, dataset, clock, new_run_id(clock.now()),
            title=REGISTRY.get(source).display_name,
        )  # fmt: skip
        summaries, repairs = repair_gaps(run, servable)
    rows = [
        (
            repair.gap.product,
            f"{repair.gap.low}-{repair.gap.high}",
            f"{repair.gap.size:,}",
            f"{repair.fetched:,}",
            f"{repair.pages:,}",
            ", ".join(f"{r.low}-{r.high}" for r in repair.unservable) or "-",
        )
        for repair in repairs
    ]
    print_table(console, REPAIR_COLUMNS, rows, title="coinlake backfill --repair-gaps")
    for summary in summaries:
        if summary.error or summary.status == "locked":
            console.print(
                f"[red]{summary.name} {summary.status}:[/] {summary.error or summary.note}"
            )
    transform(settings, "all", threads=os.cpu_count() or 2)
    left = [g for g in _find(settings, config, products) if g.servable]
    missing = sum(g.size for g in left)
    console.print(
        "completeness after repair: "
        + ("100% (no servable trade ids missing)" if not left else f"{missing:,} ids still missing")
    )
    if left or any(s.status in ("failed", "locked") for s in summaries):
        raise typer.Exit(EXIT_FAILED)
