"""What every CLI command shares: global options, settings and one-line errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console

from coinlake.config import Settings, load_settings
from coinlake.domain.clock import Clock, SystemClock
from coinlake.errors import ConfigError

console = Console()
err_console = Console(stderr=True)

clock: Clock = SystemClock()
"""The wall clock the commands judge "now" by (`--from` not in the future, status freshness);
tests put a fake one here instead of depending on the machine's date."""


def now() -> datetime:
    """The current time by `clock` (UTC)."""
    return clock.now()


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


def products_of(values: list[str] | None, flag: str = "--product") -> tuple[str, ...] | None:
    """`--product` values (repeatable, commas allowed), upper-cased; None when not given.
    Non-ASCII is refused before upper-casing (`upper()` turns some look-alike letters into ASCII).

    Raises:
        ConfigError: the flag was given but names no product (`--product ""`): an empty value
            must not silently mean the default list.
    """
    if values is None or values == []:
        return None
    products = tuple(part.strip() for value in values for part in value.split(",") if part.strip())
    if not products:
        raise ConfigError(f"{flag} {values[0]!r} names no product: give one like BTC-USD")
    for product in products:
        if not product.isascii() or not product.isprintable():
            raise ConfigError(f"{flag} {product!r} is not a product id like BTC-USD")
    return tuple(product.upper() for product in products)
