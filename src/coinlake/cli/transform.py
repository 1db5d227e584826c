"""`coinlake transform [silver|gold|all] [--engine duckdb|spark] [--full-refresh]`."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from coinlake.cli.common import console, err_console, settings_for
from coinlake.cli.output import Column, FormatOption, check_format, print_json, print_table

if TYPE_CHECKING:
    from coinlake.transform.runner import TableSummary


SUMMARY_COLUMNS = (
    Column("table", key=True),
    Column("objects", numeric=True, optional=True),
    Column("rows in", numeric=True),
    Column("written", numeric=True),
    Column("deduped", numeric=True, optional=True),
    Column("quarantined", numeric=True),
    Column("partitions", numeric=True, optional=True),
    Column("secs", numeric=True),
)


def transform_json(
    layer: str, engine: str, summaries: Sequence[TableSummary], seconds: float
) -> dict[str, object]:
    """The run as one JSON document: per table, what it read and wrote (counts as numbers)."""
    return {
        "layer": layer,
        "engine": engine,
        "seconds": round(seconds, 3),
        "changed": any(s.changed for s in summaries),
        "tables": [
            {
                "table": s.table,
                "objects_read": s.objects_read,
                "objects_unparsable": s.objects_unparsable,
                "objects_unreadable": s.objects_unreadable,
                "rows_in": s.rows_in,
                "rows_written": s.rows_written,
                "rows_deduped": s.rows_deduped,
                "rows_quarantined": s.rows_quarantined,
                "partitions_rewritten": s.partitions_rewritten,
                "full_refresh": s.full_refresh,
                "seconds": round(s.seconds, 3),
            }
            for s in summaries
        ],
    }


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
    fmt: FormatOption = "table",
) -> None:
    """Build Silver and Gold from new Bronze objects (incremental; idempotent)."""
    from coinlake.app.transform import transform as run

    check_format(fmt)
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
    took = time.perf_counter() - started
    if fmt == "json":
        print_json(transform_json(layer.value, settings.engine, summaries, took))
        return
    rows = [
        (
            summary.table + ("*" if summary.full_refresh else ""),
            f"{summary.objects_read:,}",
            f"{summary.rows_in:,}",
            f"{summary.rows_written:,}",
            f"{summary.rows_deduped:,}",
            f"{summary.rows_quarantined:,}",
            f"{summary.partitions_rewritten:,}",
            f"{summary.seconds:.2f}",
        )
        for summary in summaries
    ]
    title = f"coinlake transform {layer.value} ({settings.engine})"
    print_table(console, SUMMARY_COLUMNS, rows, title=title)
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
    console.print(f"done in {took:.2f}s")


def register(app: typer.Typer) -> None:
    """Add `coinlake transform` to the root command."""
    app.command("transform")(transform)
