"""`coinlake quality [--table ...] [--fail-on error|warn] [--format table|json]`.

Runs every declared check on the lake, appends the results to `gold/quality_results`, prints
one line per check (the worst partition, how many partitions failed, a sample) and exits 1
when a check at or above `--fail-on` failed, 0 otherwise; bad flags exit 2.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from coinlake.cli.common import console, settings_for, state_of
from coinlake.cli.output import Column, print_table
from coinlake.errors import ConfigError

if TYPE_CHECKING:
    from coinlake.quality.api import QualityRun
    from coinlake.quality.config import QualityConfig
    from coinlake.quality.model import CheckResult

EXIT_FAILED = 1


class FailOn(StrEnum):
    """The least severity that fails the command."""

    error = "error"
    warn = "warn"


class OutputFormat(StrEnum):
    """How results are printed."""

    table = "table"
    json = "json"


def quality_config_for(ctx: typer.Context) -> QualityConfig:
    """The `[quality]` table of the settings file in use (`--config`, `COINLAKE_CONFIG` or
    `./coinlake.toml`)."""
    from coinlake.quality.config import load_quality_config

    state = state_of(ctx)
    path = state.config_file
    if path is None and os.environ.get("COINLAKE_CONFIG"):
        path = Path(os.environ["COINLAKE_CONFIG"])
    return load_quality_config(path or Path("coinlake.toml"))


def summarize(results: Sequence[CheckResult]) -> list[dict[str, object]]:
    """One entry per check, in run order: its worst partition, failing/total partitions."""
    by_check: dict[str, list[CheckResult]] = {}
    for result in results:
        by_check.setdefault(result.check, []).append(result)
    rows: list[dict[str, object]] = []
    for name, items in by_check.items():
        failed = [r for r in items if not r.passed]
        worst = max(failed or items, key=lambda r: r.observed)
        rows.append(
            {
                "check": name,
                "table": worst.table,
                "severity": worst.severity,
                "passed": not failed,
                "partitions": len(items),
                "failed": len(failed),
                "observed": worst.observed,
                "threshold": worst.threshold,
                "partition": worst.partition if failed else "",
                "sample": worst.sample if failed else "",
            }
        )
    return rows


QUALITY_COLUMNS = (
    Column("check", key=True),
    Column("table", optional=True),
    Column("severity", optional=True),
    Column("status"),
    Column("failed", numeric=True),
    Column("observed", numeric=True),
    Column("threshold", numeric=True, optional=True),
    Column("where / sample", wrap=True),
)


def _status(row: dict[str, object]) -> str:
    if row["passed"]:
        return "ok"
    return {"error": "[red]FAIL[/]", "warn": "[yellow]WARN[/]"}.get(str(row["severity"]), "note")


def print_run(run: QualityRun) -> None:
    """The readable table: one line per check."""
    rows = []
    for row in summarize(run.results):
        where = f"{row['partition']}: {row['sample']}" if row["partition"] else row["sample"]
        rows.append(
            (
                str(row["check"]),
                str(row["table"]),
                str(row["severity"]),
                _status(row),
                f"{row['failed']}/{row['partitions']}",
                f"{row['observed']:.4g}",
                f"{row['threshold']:.4g}",
                escape(str(where)),
            )
        )
    title = f"coinlake quality {run.run_id}: {run.checks} checks"
    print_table(console, QUALITY_COLUMNS, rows, title=title)


def _json(run: QualityRun, fail_on: FailOn) -> str:
    document = {
        "run_id": run.run_id,
        "checked_at": run.checked_at.isoformat(),
        "checks": run.checks,
        "failed": len(run.failed(fail_on.value)),
        "summary": summarize(run.results),
        "results": [
            {
                "check": r.check,
                "table": r.table,
                "partition": r.partition,
                "severity": r.severity,
                "passed": r.passed,
                "observed": r.observed,
                "threshold": r.threshold,
                "sample": r.sample,
            }
            for r in run.results
        ],
    }
    return json.dumps(document, indent=2)


def quality(
    ctx: typer.Context,
    table: Annotated[
        list[str] | None,
        typer.Option("--table", help="Only the checks on this table (repeatable)."),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option(help="Exit 1 when a check of this severity or worse fails.")
    ] = FailOn.error,
    output: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = (
        OutputFormat.table
    ),
    engine: Annotated[
        str | None, typer.Option(help="duckdb or spark [env COINLAKE_ENGINE].")
    ] = None,
    write: Annotated[bool, typer.Option(help="Append the results to gold/quality_results.")] = True,
) -> None:
    """Run the data-quality checks; exit 1 when one at or above --fail-on fails."""
    from coinlake.app.quality import run_quality

    settings = settings_for(ctx, engine=engine)
    if settings.lake_is_s3:
        raise ConfigError(
            f"--lake {settings.lake}: quality checks run on a local lake here; on AWS the Glue "
            "job runs them after its transforms"
        )
    run = run_quality(
        settings,
        quality_config_for(ctx),
        now=datetime.now(UTC),
        tables=table or (),
        write=write,
        threads=os.cpu_count() or 2,
    )
    if output is OutputFormat.json:
        typer.echo(_json(run, fail_on))
    else:
        print_run(run)
        failed = run.failed(fail_on.value)
        gaps = [r for r in run.results if r.check == "completeness_trades" and not r.passed]
        if gaps:
            console.print(
                "trade ids missing that the exchange can serve: coinlake backfill --repair-gaps",
                soft_wrap=True,
            )
        console.print(
            f"{len(failed)} failed at {fail_on.value} or worse; results in gold/quality_results"
            if write
            else f"{len(failed)} failed at {fail_on.value} or worse",
            soft_wrap=True,
        )
    if run.failed(fail_on.value):
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add `coinlake quality` to the root command."""
    app.command("quality")(quality)
