"""`coinlake transform [silver|gold|all] [--engine duckdb|spark] [--full-refresh]`."""

from __future__ import annotations

import os
import time
from enum import StrEnum
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from coinlake.cli.common import console, err_console, settings_for


class LayerChoice(StrEnum):
    """Which tables to run."""

    silver = "silver"
    gold = "gold"
    all = "all"


def transform(
    ctx: typer.Context,
    layer: Annotated[LayerChoice, typer.Argument(help="silver, gold or all.")] = LayerChoice.all,
    engine: Annotated[
        str | None, typer.Option(help="duckdb or spark [env COINLAKE_ENGINE].")
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Rebuild the tables from all of Bronze.")
    ] = False,
    memory_limit: Annotated[str, typer.Option(help="DuckDB memory limit, e.g. 1GB.")] = "1GB",
    threads: Annotated[
        int, typer.Option(help="Engine threads; 0 = the machine's cores.", min=0)
    ] = 0,
    partition: Annotated[
        str | None,
        typer.Option(
            help="With --full-refresh: rebuild only this partition folder, e.g. "
            "silver/trades/product_id=BTC-USD/date=2026-11-22 (as `coinlake verify` prints it)."
        ),
    ] = None,
) -> None:
    """Build Silver and Gold from new Bronze objects (incremental; idempotent)."""
    from coinlake.app.transform import transform as run

    settings = settings_for(ctx, engine=engine)
    started = time.perf_counter()
    with err_console.status("starting") as status:

        def progress(table: str, message: str) -> None:
            status.update(f"[bold]{table}[/]: {message}")

        summaries = run(
            settings,
            layer.value,
            full_refresh=full_refresh,
            progress=progress,
            threads=threads or os.cpu_count() or 2,
            memory_limit=memory_limit,
            partition=partition,
        )
    table = Table(
        title=f"coinlake transform {layer.value} ({settings.engine})",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    for column in ("table", "objects", "rows in", "written", "deduped", "quarant", "parts", "secs"):
        if column == "table":
            table.add_column(column, no_wrap=True)
        else:
            table.add_column(column, justify="right", no_wrap=True)
    for summary in summaries:
        table.add_row(
            summary.table + ("*" if summary.full_refresh else ""),
            f"{summary.objects_read:,}",
            f"{summary.rows_in:,}",
            f"{summary.rows_written:,}",
            f"{summary.rows_deduped:,}",
            f"{summary.rows_quarantined:,}",
            f"{summary.partitions_rewritten:,}",
            f"{summary.seconds:.2f}",
        )
    console.print(table)
    if any(s.full_refresh for s in summaries):
        console.print("* rebuilt from all of its input (full refresh)")
    unparsable = sum(s.objects_unparsable for s in summaries)
    if unparsable:
        console.print(f"[yellow]{unparsable} unparsable Bronze objects quarantined[/]")
    unreadable = sum(s.objects_unreadable for s in summaries)
    if unreadable:
        console.print(
            f"[yellow]{unreadable} Bronze objects could not be read and were quarantined "
            "(rule unreadable_object; `coinlake status` lists them)[/]"
        )
    if not any(s.changed for s in summaries):
        console.print("nothing new: the lake is up to date")
    console.print(f"done in {time.perf_counter() - started:.2f}s")


def register(app: typer.Typer) -> None:
    """Add `coinlake transform` to the root command."""
    app.command("transform")(transform)
