"""Output for a person and output for a machine, shared by every command that prints a table.

- `--format table` (the default): a rich table that fits the terminal. Below `NARROW` columns a
  table drops the columns marked `optional` (the least asked-for); if it is still too wide, it
  drops the remaining optional columns and then the others, from the right, until it fits.
  Only free-text columns wrap; keys (what identifies a row), numbers and short labels are never
  cut or wrapped.
  A dim line names what was left out, so nothing is hidden without saying so.
- `--format json`: one JSON document on stdout, for scripts. Keys are snake_case; numbers are
  JSON numbers; `Decimal` values are written with all their digits as JSON numbers (never
  through a float, so `0.00000001` stays exact: parse them with a decimal type, e.g. Python's
  `json.loads(text, parse_float=Decimal)`; see `coinlake.domain.exactjson`); times are ISO 8601
  in UTC. Logs, progress bars and errors go to stderr, so stdout holds the document alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from coinlake.domain.exactjson import json_text
from coinlake.errors import ConfigError

NARROW = 100
"""Terminal width below which tables drop their `optional` columns."""
TEXT_FORMATS = ("table", "json")
UNBOUNDED = 10_000
WRAP_MIN = 16
"""The narrowest a free-text column gets before other columns are dropped to make room."""
FormatOption = Annotated[str, typer.Option("--format", help="table (for people) or json.")]


def check_format(fmt: str) -> None:
    """Refuse a format other than table or json with one line.

    Raises:
        ConfigError: `fmt` is not `table` or `json`.
    """
    if fmt not in TEXT_FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(TEXT_FORMATS)}, not {fmt!r}")


def print_json(payload: object) -> None:
    """`payload` as one indented JSON document on stdout (no rich markup, no wrapping)."""
    typer.echo(json_text(payload, indent=2))


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table for people."""

    header: str
    key: bool = False
    """Identifies the row: never dropped, cut or wrapped."""
    numeric: bool = False
    """Right-aligned and never cut or wrapped (a cut number is a wrong number)."""
    optional: bool = False
    """Low value: dropped below `NARROW` columns."""
    wrap: bool = False
    """Free text: wraps over lines (long words fold) rather than widening the table; the other
    columns are never cut or wrapped."""


def _cell_width(cell: str) -> int:
    return max((Text.from_markup(line).cell_len for line in cell.splitlines()), default=0)


def fit_table(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
) -> tuple[Table, list[str]]:
    """A table of `rows` (cells may hold rich markup) that fits `console.width`, and the
    headers of the columns it left out (see the module docstring for the order)."""
    keep = [i for i, c in enumerate(columns) if console.width >= NARROW or not c.optional]
    unbounded = console.options.update_width(UNBOUNDED)  # else the measure is capped at width
    while True:
        # Free text counts as WRAP_MIN wide (its long words fold), the rest as their full width.
        probe = _build(columns, rows, keep, title, probe=True)
        fits = Measurement.get(console, unbounded, probe).minimum <= console.width
        optional = [i for i in keep if columns[i].optional]
        droppable = optional or [i for i in keep if not columns[i].key]
        if fits or not droppable:
            break
        keep.remove(droppable[-1])
    table = _build(columns, rows, keep, title)
    return table, [c.header for i, c in enumerate(columns) if i not in keep]


def _build(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    keep: list[int],
    title: str | None,
    *,
    probe: bool = False,
) -> Table:
    table = Table(
        title=title, box=box.SIMPLE_HEAD, pad_edge=False, header_style="bold", title_justify="left"
    )
    for i in keep:
        column = columns[i]
        width = max([len(column.header), *(_cell_width(row[i]) for row in rows)])
        table.add_column(
            column.header,
            justify="right" if column.numeric else "left",
            no_wrap=not column.wrap,
            overflow="fold" if column.wrap else "ellipsis",
            min_width=min(width, WRAP_MIN) if column.wrap else width,
        )
    for row in rows:
        cells = [row[i] for i in keep]
        if probe:
            cells = [
                "x" * min(_cell_width(c), WRAP_MIN) if columns[i].wrap else c
                for i, c in zip(keep, cells, strict=True)
            ]
        table.add_row(*cells)
    return table


def print_table(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
) -> None:
    """Print a table that fits the terminal, and a dim line naming any column left out."""
    table, left_out = fit_table(console, columns, rows, title=title)
    console.print(table)
    if left_out:
        console.print(
            f"not shown at {console.width} columns: {', '.join(left_out)} "
            "(a wider terminal or --format json shows them)",
            style="dim",
            highlight=False,
        )
