"""`coinlake ingest` and `coinlake backfill`: API responses into Bronze, progress, a summary.

Both exit 1 (after the summary table) when a product failed or any response did not parse, and
print one `error:` line for bad flags.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichBar

from coinlake.cli import common
from coinlake.cli.common import console, err_console, products_of, settings_for
from coinlake.cli.output import Column, check_format, print_json, print_table
from coinlake.errors import ConfigError
from coinlake.sources.registry import ALL, REGISTRY

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from coinlake.config import Settings
    from coinlake.ingest.run import RunOptions
    from coinlake.ingest.summary import RunSummary
    from coinlake.storage.base import ObjectStore

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
QUIET_NOTES = ("reached_known", "exhausted")
"""Walk endings not worth a line under the table."""


def _source_option(help_text: str) -> object:
    """`--source`: `all` or a registered source (checked against the registry when parsed, so
    a source registered after import is accepted too)."""

    def check(value: str) -> str:
        if value not in REGISTRY.choices():
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(REGISTRY.choices())}")
        return value

    return typer.Option(
        help=f"{help_text} One of: {', '.join(REGISTRY.choices())}.", callback=check
    )


class BarProgress:
    """`coinlake.ingest.summary.Progress` on a rich progress bar: pages, trades, ETA.

    The bar appears with its first task, so a run that fails before fetching anything prints
    nothing but its error line.
    """

    def __init__(self, bar: RichBar) -> None:
        self.bar = bar
        self.tasks: dict[str, TaskID] = {}

    def update(self, task: str, *, pages: int, trades: int, total: int | None) -> None:
        """Show the task's counts (a new task gets its own bar)."""
        if not self.tasks:
            self.bar.start()
        if task not in self.tasks:
            self.tasks[task] = self.bar.add_task(task, total=total, pages=0, unit=unit_of(task))
        self.bar.update(self.tasks[task], completed=trades, total=total, pages=pages)


def unit_of(task: str) -> str:
    """What a progress task counts, from its name: `BTC-USD candles`, `bitcoin/usd` (CoinGecko
    history: price points) or a product (trades)."""
    if task.endswith(" candles"):
        return "candles"
    if "/" in task:
        return "price points"
    return "trades"


@contextlib.contextmanager
def progress_bar() -> Iterator[BarProgress]:
    """A rich bar on stderr for the duration of a run (static output when not a terminal)."""
    bar = RichBar(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[pages]} pages"),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )
    progress = BarProgress(bar)
    try:
        yield progress
    finally:
        if progress.tasks:
            bar.stop()


def _lease_ttl(seconds: float | None) -> timedelta:
    from coinlake.bronze.lease import DEFAULT_TTL

    return DEFAULT_TTL if seconds is None else timedelta(seconds=seconds)


UNITS = {"trades": "trades", "candles": "candles", "market_chart_range": "price points"}
"""What an item's records are, by dataset (other snapshots count quotes or records)."""
SUMMARY_COLUMNS = (
    Column("item", key=True),
    Column("status"),
    Column("written", numeric=True),
    Column("kept", numeric=True, optional=True),
    Column("pages", numeric=True),
    Column("records", numeric=True),
    Column("first id", numeric=True, optional=True),
    Column("last id", numeric=True, optional=True),
    Column("gap filled", numeric=True, optional=True),
    Column("bad", numeric=True),
)


def unit_of_dataset(dataset: str) -> str:
    """What the `records` of an item of `dataset` are: trades, candles, price points, quotes."""
    return UNITS.get(dataset, "quotes" if dataset == "simple_price" else "records")


def summary_json(summary: RunSummary) -> dict[str, object]:
    """The run as one JSON document: snake_case keys, counts as numbers, `records` named by
    `unit` (the run record's `trades` field counts records of every kind)."""
    items = []
    for item in summary.items:
        fields = item.to_json()
        records = fields.pop("trades")
        items.append({**fields, "records": records, "unit": unit_of_dataset(item.dataset)})
    return {
        "command": summary.command,
        "run_id": summary.run_id,
        "status": summary.status,
        "started_at": summary.started_at,
        "finished_at": summary.finished_at,
        "record_key": summary.record_key,
        "items": items,
    }


def print_summary(summary: RunSummary, out: Console | None = None) -> None:
    """The summary table (it fits the terminal), notes under it and the run record's location."""
    out = out or console
    rows = []
    for item in summary.items:
        style = "red" if item.failed else "yellow" if item.status != "ok" else ""
        rows.append(
            (
                f"{item.dataset} {item.name}",
                f"[{style}]{item.status}[/]" if style else item.status,
                f"{item.objects_written:,}",
                f"{item.objects_existing:,}",
                f"{item.pages:,}",
                f"{item.trades:,} {unit_of_dataset(item.dataset)}",
                "-" if item.first_id is None else str(item.first_id),
                "-" if item.last_id is None else str(item.last_id),
                f"{item.gaps_repaired:,}",
                f"{item.parse_failures:,}",
            )
        )
    title = f"coinlake {summary.command} {summary.run_id} ({summary.status})"
    print_table(out, SUMMARY_COLUMNS, rows, title=title)
    for item in summary.items:
        if item.error:
            out.print(f"[red]{item.dataset} {item.name} failed:[/] {item.error}", highlight=False)
        elif item.status != "ok":
            out.print(f"[yellow]{item.dataset} {item.name} {item.status}:[/] {item.note}")
        elif item.note and item.note not in QUIET_NOTES and item.dataset == "trades":
            out.print(f"{item.dataset} {item.name}: {item.note}", highlight=False)
        for key in item.unparsed_keys:
            out.print(f"[yellow]unparsable response landed (flagged): {key}[/]")
    if summary.record_key:
        out.print(f"run record: {summary.record_key}", highlight=False)


def open_lake(ctx: typer.Context, product: list[str] | None) -> tuple[Settings, ObjectStore]:
    """The command's settings (with `--product`) and its lake."""
    from coinlake.app import lake

    products = products_of(product)
    settings = settings_for(ctx, products=",".join(products) if products else None)
    return settings, lake.open_lake(settings)


def run_and_report(
    call: Callable[[RunOptions], RunSummary], options: RunOptions, fmt: str = "table"
) -> None:
    """Run `call` (an `app.ingest` run) with `options` on a progress bar (stderr), print the
    summary (a table, or JSON with `fmt` json) and exit: 1 when something failed, 130 after
    Ctrl-C (with the summary)."""
    from coinlake.ingest.run import RunInterrupted

    interrupted = False
    with progress_bar() as bar:
        try:
            summary = call(dataclasses.replace(options, progress=bar))
        except RunInterrupted as exc:
            summary, interrupted = exc.summary, True
    if fmt == "json":
        print_json(summary_json(summary))
    else:
        print_summary(summary)
    if interrupted:
        err_console.print(
            "interrupted: what was landed is kept; run the same command again to continue"
        )
        raise typer.Exit(EXIT_INTERRUPTED)
    if summary.failed:
        raise typer.Exit(EXIT_FAILED)


ProductOpt = Annotated[
    list[str] | None,
    typer.Option("--product", help="Product id (repeatable; default: settings.products)."),
]
MaxPagesOpt = Annotated[
    int | None,
    typer.Option(help="Page budget per product and run; the walk resumes next run.", min=1),
]
FormatOpt = Annotated[
    str, typer.Option("--format", help="table (for people) or json (one document on stdout).")
]
LeaseTtlOpt = Annotated[
    float | None,
    typer.Option(help="Seconds a run's per-product lock lives without renewal.", min=1),
]


def ingest(
    ctx: typer.Context,
    source: Annotated[str, _source_option("Which API(s).")] = "all",
    product: ProductOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Where a product without a cursor starts: a trade id or a time "
            "(2026-11-22T10:00:00Z). Default: its newest page."
        ),
    ] = None,
    max_pages: MaxPagesOpt = None,
    lease_ttl: LeaseTtlOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Land new data: a CoinGecko snapshot and every Coinbase trade since the last run."""
    from coinlake.app.ingest import ingest as run_ingest
    from coinlake.ingest.run import RunOptions
    from coinlake.ingest.since import check_not_future, parse_since

    check_format(fmt)
    start = None if since is None else parse_since(since)
    if isinstance(start, datetime):
        check_not_future(start, "--since", common.now())
    settings, store = open_lake(ctx, product)
    options = RunOptions(lease_ttl=_lease_ttl(lease_ttl), max_pages=max_pages, command="ingest")

    def call(options: RunOptions) -> RunSummary:
        return run_ingest(store, settings, source=source, since=start, options=options, check=True)

    run_and_report(call, options, fmt)


def _backfill_help() -> str:
    """`coinbase (trades, candles), coingecko (market_chart_range) or all.`"""
    named = [
        f"{spec.name} ({', '.join(d.name for d in spec.datasets if d.backfill)})"
        for spec in REGISTRY.selected(ALL)
    ]
    return f"{', '.join(named)} or {ALL}."


_DEFAULT_BACKFILL = REGISTRY.id_walked()[0][0] if REGISTRY.id_walked() else ALL
"""The default `--source` of a backfill: the first source with an id-walked dataset (trades)."""
_GRANULARITIES = REGISTRY.option_choices("granularity_s")


def backfill(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="First day or time (UTC), e.g. 2026-01-01.")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Last day (inclusive) or end time (exclusive); default now."),
    ] = None,
    source: Annotated[str, _source_option(_backfill_help())] = _DEFAULT_BACKFILL,
    product: ProductOpt = None,
    trades: Annotated[bool, typer.Option(help="Backfill the trades (id-walked datasets).")] = True,
    candles: Annotated[bool, typer.Option(help="Also land candles.")] = False,
    granularity: Annotated[
        int, typer.Option(help=f"Candle width in seconds ({', '.join(map(str, _GRANULARITIES))}).")
    ] = 3600,
    restart: Annotated[
        bool, typer.Option(help="Drop a saved (unfinished or done) backfill and start over.")
    ] = False,
    max_pages: MaxPagesOpt = None,
    lease_ttl: LeaseTtlOpt = None,
    repair_gaps: Annotated[
        bool,
        typer.Option(
            "--repair-gaps",
            help="Land the missing trade-id ranges `coinlake quality` found (no --from).",
        ),
    ] = False,
    fmt: FormatOpt = "table",
) -> None:
    """Land a past range: trades found by trade-id search (resumable), candles, price history."""
    from coinlake.app.ingest import backfill as run_backfill
    from coinlake.ingest.run import RunOptions
    from coinlake.ingest.since import check_not_future, parse_moment

    check_format(fmt)
    if repair_gaps:
        if start is not None or end is not None:
            raise ConfigError("--repair-gaps finds its own ranges: drop --from/--to")
        if fmt == "json":
            raise ConfigError("--repair-gaps prints a table only: drop --format json")
        from coinlake.cli.quality import quality_config_for
        from coinlake.cli.repair import repair_command

        settings, store = open_lake(ctx, product)
        repair_command(settings, store, quality_config_for(ctx), products_of(product) or ())
        return
    if start is None:
        raise ConfigError("backfill needs --from (a day or time), or --repair-gaps")
    start_at = parse_moment(start, "--from")
    end_at = None if end is None else parse_moment(end, "--to", end_of_day=True)
    if end_at is not None and end_at <= start_at:
        raise ConfigError(f"--to {end} is not after --from {start}")
    if candles and _GRANULARITIES and granularity not in _GRANULARITIES:
        raise ConfigError(
            f"--granularity {granularity}: choose one of {', '.join(map(str, _GRANULARITIES))}"
        )
    check_not_future(start_at, "--from", common.now())
    settings, store = open_lake(ctx, product)
    options = RunOptions(lease_ttl=_lease_ttl(lease_ttl), max_pages=max_pages, command="backfill")

    def call(options: RunOptions) -> RunSummary:
        return run_backfill(
            store,
            settings,
            check=True,
            start_at=start_at,
            end_at=end_at,
            source=source,
            trades=trades,
            candles_granularity_s=granularity if candles else None,
            restart=restart,
            options=options,
        )

    run_and_report(call, options, fmt)


def register(app: typer.Typer) -> None:
    """Add `coinlake ingest` and `coinlake backfill` to the root command."""
    app.command("ingest")(ingest)
    app.command("backfill")(backfill)
