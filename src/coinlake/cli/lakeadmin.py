"""`coinlake init` (a settings file and an empty lake) and `coinlake state show|reset`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from coinlake.cli.common import console, settings_for
from coinlake.cli.output import Column, FormatOption, check_format, print_json, print_table
from coinlake.config import DEFAULT_CONFIG_FILE
from coinlake.errors import ConfigError

state_app = typer.Typer(
    help="Show or reset what the lake's _state/ holds (cursors, walks, leases, bookmarks).",
    no_args_is_help=True,
)

STATE_COLUMNS = (Column("kind", key=True), Column("name", key=True), Column("state", wrap=True))
LAKE_FOLDERS = ("bronze", "silver", "gold", "quarantine", "_state")


def init(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="Where to write coinlake.toml (created if missing).")
    ] = Path(),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented coinlake.toml naming every setting, and create the lake it points at.

    The lake is the --lake / COINLAKE_LAKE value if given, else `lake` inside DIR. Other values
    come from the environment and flags as for any command, so `COINLAKE_PRODUCTS=BTC-USD
    coinlake init` writes that product list.
    """
    from coinlake.config_doc import commented_toml

    target = directory / DEFAULT_CONFIG_FILE
    if target.exists() and not force:
        raise ConfigError(f"{target} exists; pass --force to overwrite it")
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory} is a file, not a folder")
    settings = settings_for(ctx)
    if "lake" not in _explicit(ctx):
        settings = settings.model_copy(update={"lake": "./lake"})
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(commented_toml(settings), encoding="utf-8")
    console.print(f"wrote {target}", highlight=False)
    if settings.lake_is_s3:
        console.print(f"lake {settings.lake}: S3 needs no folders", highlight=False)
        return
    lake = Path(settings.lake)
    root = lake if lake.is_absolute() else directory / lake
    if root.exists() and not root.is_dir():
        raise ConfigError(f"lake {root} is a file, not a folder")
    for folder in LAKE_FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    console.print(f"lake {root}: {', '.join(LAKE_FOLDERS)}", highlight=False)
    console.print(
        f"next: cd {directory} && coinlake ingest && coinlake transform, or coinlake schedule",
        style="dim",
        highlight=False,
    )


def _explicit(ctx: typer.Context) -> set[str]:
    """Settings given by a flag or the environment for this invocation."""
    from coinlake.cli.common import state_of
    from coinlake.config import load_settings_with_origins

    state = state_of(ctx)
    _, origins = load_settings_with_origins(state.overrides, config_file=state.config_file)
    return set(origins)


@state_app.command("show")
def show(
    ctx: typer.Context,
    fmt: FormatOption = "table",
) -> None:
    """List cursors, unfinished walks and backfills, leases, bookmarks and cached API lists."""
    from coinlake.app.lake import open_lake
    from coinlake.lakestate import count_runs, read_state

    check_format(fmt)
    store = open_lake(settings_for(ctx))
    entries = list(read_state(store))
    runs = count_runs(store)
    if fmt == "json":
        print_json(
            {
                "lake": store.uri(),
                "entries": [
                    {"kind": e.kind, "name": e.name, "key": e.key, **e.detail} for e in entries
                ],
                "run_records": runs,
            }
        )
        return
    rows = [
        (
            escape(entry.kind),
            escape(entry.name),
            escape(", ".join(f"{k}={v}" for k, v in entry.detail.items())),
        )
        for entry in entries
    ]
    print_table(console, STATE_COLUMNS, rows, title=store.uri())
    console.print(f"{runs} run records kept under _state/runs/", style="dim")


@state_app.command("reset")
def reset(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="cursor, walk, backfill, lease, bookmark or cache.")],
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Products or tables (default: every one of that kind)."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete state so the next run redoes that work (Bronze is never touched).

    A product without a cursor is ingested as a new one (from its newest page); a table without
    a bookmark re-reads all of its Bronze at the next transform.
    """
    from coinlake.app.lake import open_lake
    from coinlake.lakestate import apply_reset, plan_reset

    store = open_lake(settings_for(ctx))
    planned = plan_reset(store, kind, tuple(names or ()))
    if not planned:
        console.print(f"no {kind} state in {store.uri()}: nothing to reset", highlight=False)
        return
    for entry in planned:
        console.print(f"  {entry.key}", highlight=False)
    if not yes:
        if not sys.stdin.isatty():
            raise ConfigError("not a terminal: pass --yes to reset without a confirmation")
        typer.confirm(f"delete these {len(planned)} state documents?", abort=True)
    deleted = apply_reset(store, planned)
    console.print(f"deleted {deleted} state document(s) from {store.uri()}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `init` and `state` to the `coinlake` app."""
    app.command("init")(init)
    app.add_typer(state_app, name="state")
