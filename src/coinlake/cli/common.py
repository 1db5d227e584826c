"""What every CLI command shares: global options, settings and one-line errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console

from coinlake.config import Settings, load_settings

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    """Global options given before the command name."""

    config_file: Path | None = None
    overrides: dict[str, object] = field(default_factory=dict)
    debug: bool = False


def state_of(ctx: typer.Context) -> CliState:
    """The global options of this invocation (defaults when run without the root callback)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def settings_for(ctx: typer.Context, **flags: object) -> Settings:
    """Settings for a command: its flags > global flags > env > coinlake.toml > defaults."""
    state = state_of(ctx)
    merged = {**state.overrides, **{k: v for k, v in flags.items() if v is not None}}
    return load_settings(merged, config_file=state.config_file)
