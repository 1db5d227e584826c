"""`coinlake tables`, `coinlake describe TABLE` and `coinlake config`: what the lake and the
settings are, for a person (a table that fits the terminal) or a script (`--format json`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from coinlake.cli.common import console, state_of
from coinlake.cli.output import NARROW, FormatOption, check_format, print_json


def tables(fmt: FormatOption = "table") -> None:
    """List the lake's tables: layer, partition keys and what each holds."""
    from coinlake.query.describe import all_tables

    check_format(fmt)
    docs = all_tables()
    if fmt == "json":
        print_json([doc.as_json() for doc in docs])
        return
    names = [f"coinlake.{doc.name}" for doc in docs]
    # Names are never cut; below NARROW columns the layer (it is the name's prefix) is dropped.
    wide = console.width >= NARROW
    table = Table(header_style="bold")
    table.add_column("table", no_wrap=True, min_width=max(map(len, names)))
    if wide:
        table.add_column("layer")
    table.add_column("partitioned by")
    table.add_column("what it holds")
    for name, doc in zip(names, docs, strict=True):
        layer = [doc.layer] if wide else []
        table.add_row(name, *layer, ", ".join(doc.partitioned_by), doc.comment)
    console.print(table)
    console.print("coinlake describe TABLE shows its columns", style="dim")


def describe(
    name: Annotated[str, typer.Argument(help="A table, e.g. gold_trades_hourly.")],
    fmt: FormatOption = "table",
) -> None:
    """Show a table's columns, types, partition keys and what each column means."""
    from coinlake.query.describe import find_table

    check_format(fmt)
    doc = find_table(name)
    if fmt == "json":
        print_json(doc.as_json())
        return
    console.print(f"[bold]coinlake.{doc.name}[/]: {doc.comment}", highlight=False)
    layout = "/".join(f"{key}=..." for key in doc.partitioned_by)
    console.print(f"files: {doc.path}/{layout}/part-*.parquet", style="dim", highlight=False)
    table = Table(header_style="bold")
    table.add_column("column", no_wrap=True, min_width=max(len(c.name) for c in doc.columns))
    table.add_column("type", no_wrap=True)
    table.add_column("meaning")
    for column in doc.columns:
        label = f"{column.name} [dim](partition)[/]" if column.partition else column.name
        table.add_row(label, column.type, column.meaning)
    console.print(table)


def config(ctx: typer.Context, fmt: FormatOption = "table") -> None:
    """Print the effective settings and where each came from (flag, env, file or default)."""
    from coinlake.config import load_settings_with_origins
    from coinlake.config_doc import json_value, setting_rows

    check_format(fmt)
    state = state_of(ctx)
    settings, origins = load_settings_with_origins(state.overrides, config_file=state.config_file)
    rows = setting_rows(settings, origins)
    if fmt == "json":
        print_json(
            [
                {
                    "name": row.name,
                    "value": json_value(getattr(settings, row.name)),
                    "origin": row.origin,
                    "env_var": row.env_var,
                }
                for row in rows
            ]
        )
        return
    table = Table("setting", "value", "from", header_style="bold")
    for row in rows:
        origin = "[dim]default[/]" if row.origin == "default" else row.origin
        table.add_row(row.name, row.value, origin)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `tables`, `describe` and `config` to the `coinlake` app."""
    app.command("tables")(tables)
    app.command("describe")(describe)
    app.command("config")(config)
