"""`coinlake ddl`, `coinlake status` and `coinlake report`: the lake seen from the outside."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coinlake.cli import common
from coinlake.cli.common import products_of, settings_for
from coinlake.errors import ConfigError

if TYPE_CHECKING:
    from rich.console import Console

    from coinlake.query.status import LakeStatus


def ddl(
    ctx: typer.Context,
    table: Annotated[
        list[str] | None,
        typer.Option("--table", help="Only this table (repeatable), e.g. gold_trades_hourly."),
    ] = None,
    dialect: Annotated[str, typer.Option(help="athena (Glue catalog) or spark (Hive).")] = "athena",
    no_projection: Annotated[
        bool,
        typer.Option("--no-projection", help="No partition projection: add MSCK REPAIR TABLE."),
    ] = False,
    database: Annotated[str, typer.Option(help="Database (Glue catalog) name.")] = "coinlake",
    location: Annotated[
        str | None, typer.Option(help="Lake root, e.g. s3://bucket/prefix (default: the lake).")
    ] = None,
    injected: Annotated[
        bool,
        typer.Option("--injected", help="Project product_id/coin_id as injected, not an enum."),
    ] = False,
) -> None:
    """Print CREATE EXTERNAL TABLE for every Silver, Gold and quarantine table."""
    from coinlake.query.ddl import DdlOptions, build_ddl, check_location
    from coinlake.tables.catalog import sql_table, sql_tables

    if dialect not in ("athena", "spark"):
        raise ConfigError(f"--dialect must be athena or spark, not {dialect!r}")
    settings = settings_for(ctx)
    root = location or settings.lake
    if dialect == "spark" and "://" not in root:
        root = Path(root).resolve().as_uri()
    options = DdlOptions(
        location=check_location(root, "athena" if dialect == "athena" else "spark"),
        database=database,
        projection=not no_projection and dialect == "athena",
        products=settings.products,
        coins=settings.coins,
        key_projection="injected" if injected else "enum",
    )
    specs = tuple(sql_table(name) for name in table) if table else sql_tables()
    typer.echo(build_ddl(options, specs), nl=False)


def status(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when freshness or gaps exceed the limits.")
    ] = False,
    max_lag_minutes: Annotated[
        float, typer.Option(help="Freshness limit: minutes since a product's last trade.")
    ] = 60.0,
    max_gaps: Annotated[int, typer.Option(help="Limit of missing trade ids per product.")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Rows, event times, freshness, partitions, gaps, quarantine and pending Bronze per table."""
    import json

    from coinlake.app.query import status as lake_status
    from coinlake.cli.common import console, err_console
    from coinlake.query.status import status_json

    if fmt not in ("table", "json"):
        raise ConfigError(f"--format must be table or json, not {fmt!r}")
    settings = settings_for(ctx)
    report = lake_status(settings, now=common.now())
    if fmt == "json":
        typer.echo(json.dumps(status_json(report), indent=2))
    else:
        _print_status(report, console)
    if check:
        problems = report.problems(
            max_lag_minutes=max_lag_minutes, max_gaps=max_gaps, products=settings.products
        )
        for problem in problems:
            err_console.print(f"[bold red]check failed:[/] {problem}", highlight=False)
        if problems:
            raise typer.Exit(1)


def _print_status(report: LakeStatus, console: Console) -> None:
    from rich.table import Table

    from coinlake.cli.output import NARROW
    from coinlake.query.status import STATUS_HEADERS, status_rows

    # Below 100 columns the partition count and the first event time (the least asked-for) go.
    keep = [
        i for i, name in enumerate(STATUS_HEADERS)
        if console.width >= NARROW or name not in ("partitions", "first")
    ]  # fmt: skip
    table = Table(title=f"coinlake status at {report.now:%Y-%m-%d %H:%M} UTC")
    for i in keep:
        table.add_column(STATUS_HEADERS[i], no_wrap=STATUS_HEADERS[i] in ("table", "key"))
    for row in status_rows(report):
        table.add_row(*(row[i] for i in keep))
    console.print(table)
    quarantined = ", ".join(f"{name}: {n}" for name, n in report.quarantined.items())
    console.print(f"quarantined rows: {quarantined or 'none'}")
    if report.unreadable:
        console.print(f"[red]bronze objects that cannot be read: {len(report.unreadable)}[/]")
        for key, reason in report.unreadable.items():
            console.print(f"  {key}: {reason}", highlight=False, markup=False)
    pending = ", ".join(f"{group}: {n}" for group, n in report.bronze_pending.items())
    console.print(
        f"bronze objects: {report.bronze_total}, not yet transformed: {pending or 'none'}"
    )
    console.print(f"quality: {report.quality}", highlight=False, soft_wrap=True)


def _parse_day(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ConfigError(f"{flag} must be a date like 2026-01-31, not {value!r}") from exc


def report(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    product: Annotated[
        list[str] | None, typer.Option("--product", help="Only this product (repeatable).")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day (UTC), e.g. 2026-01-01.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day (UTC, inclusive), e.g. 2026-01-31.")
    ] = None,
) -> None:
    """Write a self-contained HTML report: hourly candles, VWAP, volume, daily price, status."""

    from coinlake.app.query import report_html

    first, last = _parse_day(start, "--from"), _parse_day(end, "--to")
    products = list(products_of(product) or ())
    if first and last and last < first:
        raise ConfigError(f"--to {last} is before --from {first}")
    page = report_html(
        settings_for(ctx), now=common.now(), products=products, first=first, last=last
    )
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {output}: {exc.strerror or exc}") from exc
    typer.echo(str(output.resolve()))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("ddl")(ddl)
    app.command("status")(status)
    app.command("report")(report)
