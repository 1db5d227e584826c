"""`coinlake ddl`, `coinlake status` and `coinlake report`: the lake seen from the outside."""

from __future__ import annotations

from typing import Annotated

import typer

from coinlake.cli.common import settings_for
from coinlake.errors import ConfigError


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
    from pathlib import Path

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


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("ddl")(ddl)
