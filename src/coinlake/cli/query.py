"""`coinlake query`: SQL over the lake's DuckDB views (or Athena with `--athena`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coinlake.cli.common import console, err_console, settings_for
from coinlake.errors import ConfigError, QueryError

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from coinlake.config import Settings

PROMPT = "coinlake> "
CONTINUE = "     ...> "


def query(
    ctx: typer.Context,
    sql: Annotated[
        str | None, typer.Argument(help="SQL to run; omit for a shell (or SQL on stdin).")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the SQL from this file.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, csv, json or parquet (needs -o).")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the result to this file.")
    ] = None,
    athena: Annotated[
        bool, typer.Option("--athena", help="Run on Athena (needs athena_workgroup set).")
    ] = False,
) -> None:
    """Run SQL over the tables coinlake.silver_trades, coinlake.gold_trades_hourly, ..."""
    from coinlake.query.output import FORMATS

    if fmt not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if sql is not None and file is not None:
        raise ConfigError("give the SQL either as an argument or with -f, not both")
    settings = settings_for(ctx)
    text = _read_sql(sql, file)
    if athena:
        _show(_run_athena(settings, text or ""), fmt, output)
        return
    con = _connect(settings)
    if text is None:
        _shell(con, fmt)
        return
    from coinlake.query.views import run_sql

    _show(run_sql(con, text), fmt, output)


def _read_sql(sql: str | None, file: Path | None) -> str | None:
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read SQL file {file}: {exc.strerror or exc}") from exc
    if sql is not None:
        if not sql.strip():
            raise ConfigError("the SQL argument is empty")
        return sql
    if not sys.stdin.isatty():
        piped = sys.stdin.read()
        if not piped.strip():
            raise ConfigError("no SQL given: pass it as an argument, with -f, or on stdin")
        return piped
    return None


def _connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    from coinlake.app.query import connect

    return connect(settings)


def _run_athena(settings: Settings, sql: str) -> pa.Table:
    if not sql.strip():
        raise ConfigError("--athena needs SQL (an argument, -f or stdin); it has no shell")
    from coinlake.aws.athena import run_athena_query

    result = run_athena_query(settings, sql)
    err_console.print(
        f"athena {result.query_execution_id}: {result.bytes_scanned:,} bytes scanned "
        f"in {result.elapsed_s:.1f} s",
        style="dim",
        highlight=False,
    )
    return result.to_arrow()


def _show(result: pa.Table, fmt: str, output: Path | None) -> None:
    from coinlake.query.output import render

    if fmt == "table" and output is None:
        _print_result(result)
        return
    render(result, fmt, console=console, out=sys.stdout, output=output)


def _print_result(result: pa.Table) -> None:
    """The result as a table that fits the terminal: the first column is kept, numbers are never
    cut, and columns that do not fit are named under it (`--format csv` or `json` has them)."""
    from rich.markup import escape

    from coinlake.cli.output import Column, print_table
    from coinlake.query.output import row_count_line, table_cells

    names, numeric, cells, total = table_cells(result)
    columns = [
        Column(name, key=index == 0, numeric=number)
        for index, (name, number) in enumerate(zip(names, numeric, strict=True))
    ]
    print_table(console, columns, [[escape(cell) for cell in row] for row in cells])
    console.print(row_count_line(total), style="dim", highlight=False)


def _dot_command(line: str) -> None:
    """`.tables` and `.schema TABLE`, as in the duckdb and sqlite shells."""
    from coinlake.cli.catalog import describe, tables

    command, _, argument = line.partition(" ")
    try:
        if command == ".tables" and not argument.strip():
            tables("table")
        elif command == ".schema" and argument.strip():
            describe(argument.strip().rstrip(";"), "table")
        else:
            raise ConfigError(f"unknown command {line!r}: use .tables, .schema TABLE or .quit")
    except ConfigError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)


def _shell(con: duckdb.DuckDBPyConnection, fmt: str) -> None:
    from coinlake.query.views import run_sql

    tables = con.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'coinlake' "
        "ORDER BY table_name"
    ).fetchall()
    console.print("tables: " + ", ".join(f"coinlake.{name}" for (name,) in tables), style="dim")
    console.print(
        "end statements with ';'; .tables, .schema TABLE; .quit or Ctrl-D leaves", style="dim"
    )
    buffer: list[str] = []
    while True:
        try:
            line = input(CONTINUE if buffer else PROMPT)
        except EOFError:
            console.print()
            return
        except KeyboardInterrupt:
            buffer.clear()
            console.print()
            continue
        if not buffer and line.strip() in (".quit", ".exit", "exit", "quit"):
            return
        if not buffer and line.strip().startswith("."):
            _dot_command(line.strip())
            continue
        buffer.append(line)
        statement = "\n".join(buffer).strip()
        if not statement.endswith(";"):
            continue
        buffer.clear()
        try:
            _show(run_sql(con, statement), fmt, None)
        except QueryError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
