"""Render query results: a rich table for people, CSV / JSON / Parquet for scripts.

Decimals stay exact: CSV and JSON print their full digits (JSON as numbers), never via float.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Literal, TextIO

import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from coinlake.domain.exactjson import json_text
from coinlake.errors import ConfigError

OutputFormat = Literal["table", "csv", "json", "parquet"]
FORMATS: tuple[OutputFormat, ...] = ("table", "csv", "json", "parquet")
TABLE_ROW_LIMIT = 1_000


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"  # fixed point: 0.00000001, never 1E-8
    return str(value)


def _rows(result: pa.Table) -> tuple[list[str], list[Sequence[object]]]:
    names = list(result.column_names)
    columns = [result.column(i).to_pylist() for i in range(result.num_columns)]
    return names, list(zip(*columns, strict=True)) if columns else []


def write_csv(result: pa.Table, out: TextIO) -> None:
    """CSV with a header line; times in ISO 8601, decimals with all their digits."""
    names, rows = _rows(result)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_text(value) for value in row])


def write_json(result: pa.Table, out: TextIO) -> None:
    """A JSON array of objects, one per line; decimals are exact JSON numbers."""
    names, rows = _rows(result)
    keys = [json.dumps(name) for name in names]
    out.write("[")
    for index, row in enumerate(rows):
        body = ",".join(f"{key}:{json_text(value)}" for key, value in zip(keys, row, strict=True))
        out.write(("\n" if index == 0 else ",\n") + "{" + body + "}")
    out.write("\n]\n" if rows else "]\n")


def table_cells(result: pa.Table) -> tuple[list[str], list[bool], list[list[str]], int]:
    """What a table for people shows: the column names, which columns are numbers, the first
    `TABLE_ROW_LIMIT` rows as text and the total row count."""
    names, rows = _rows(result)
    numeric = [
        pa.types.is_integer(field.type)
        or pa.types.is_floating(field.type)
        or pa.types.is_decimal(field.type)
        for field in result.schema
    ]
    cells = [[_text(value) for value in row] for row in rows[:TABLE_ROW_LIMIT]]
    return names, numeric, cells, len(rows)


def row_count_line(total: int) -> str:
    """`N rows`, and how many are shown when the table is cut at `TABLE_ROW_LIMIT`."""
    shown = f" (first {TABLE_ROW_LIMIT} shown)" if total > TABLE_ROW_LIMIT else ""
    return f"{total} row{'s' if total != 1 else ''}{shown}"


def write_table(result: pa.Table, console: Console) -> None:
    """A rich table (the first `TABLE_ROW_LIMIT` rows, every column) and a row count."""
    names, _, cells, total = table_cells(result)
    table = Table(*names, show_lines=False, header_style="bold")
    for row in cells:
        table.add_row(*row)
    console.print(table)
    console.print(row_count_line(total), style="dim")


def render(
    result: pa.Table,
    fmt: str,
    *,
    console: Console,
    out: TextIO,
    output: Path | None = None,
) -> None:
    """Write `result` in format `fmt` to `out` (or `output` for Parquet).

    Raises:
        ConfigError: unknown format, or Parquet without an output path.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "parquet":
        if output is None:
            raise ConfigError("--format parquet needs -o/--output FILE")
        output.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(result, output)
        return
    if output is not None:
        with output.open("w", encoding="utf-8", newline="") as handle:
            _render_text(result, fmt, console=Console(file=handle), out=handle)
        return
    _render_text(result, fmt, console=console, out=out)


def _render_text(result: pa.Table, fmt: str, *, console: Console, out: TextIO) -> None:
    if fmt == "csv":
        write_csv(result, out)
    elif fmt == "json":
        write_json(result, out)
    else:
        write_table(result, console)


def to_csv_text(result: pa.Table) -> str:
    """`write_csv` into a string."""
    buffer = io.StringIO()
    write_csv(result, buffer)
    return buffer.getvalue()
