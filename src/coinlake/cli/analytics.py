"""`coinlake ddl`, `coinlake status` and `coinlake report`: the lake seen from the outside."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coinlake.cli.common import settings_for
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
    from coinlake.query.tables import TABLES
    from coinlake.query.tables import table as find_table

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
    specs = tuple(find_table(name) for name in table) if table else TABLES
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
    from datetime import UTC, datetime

    from coinlake.cli.common import console, err_console
    from coinlake.query.status import build_status, status_json
    from coinlake.query.views import LakeLocation, connect_lake

    if fmt not in ("table", "json"):
        raise ConfigError(f"--format must be table or json, not {fmt!r}")
    settings = settings_for(ctx)
    lake = LakeLocation.parse(
        settings.lake, s3_endpoint_url=settings.s3_endpoint_url, aws_region=settings.aws_region
    )
    report = build_status(connect_lake(lake), lake, now=datetime.now(UTC))
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

    from coinlake.query.status import STATUS_HEADERS, status_rows

    table = Table(*STATUS_HEADERS, title=f"coinlake status at {report.now:%Y-%m-%d %H:%M} UTC")
    for row in status_rows(report):
        table.add_row(*row)
    console.print(table)
    quarantined = ", ".join(f"{name}: {n}" for name, n in report.quarantined.items())
    console.print(f"quarantined rows: {quarantined or 'none'}")
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
    from datetime import UTC, datetime, timedelta

    from coinlake.query.report import ReportRange, build_series, render_html
    from coinlake.query.status import build_status
    from coinlake.query.views import LakeLocation, connect_lake

    first, last = _parse_day(start, "--from"), _parse_day(end, "--to")
    if first and last and last < first:
        raise ConfigError(f"--to {last} is before --from {first}")
    span = ReportRange(first, last + timedelta(days=1) if last else None)
    settings = settings_for(ctx)
    lake = LakeLocation.parse(
        settings.lake, s3_endpoint_url=settings.s3_endpoint_url, aws_region=settings.aws_region
    )
    con = connect_lake(lake)
    now = datetime.now(UTC)
    products = [p.strip().upper() for p in product or [] if p.strip()]
    page = render_html(
        build_series(con, products, span),
        status=build_status(con, lake, now=now),
        generated_at=now,
        span=ReportRange(first, last),
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
