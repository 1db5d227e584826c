"""`coinlake run`: one pass of ingest -> transform -> quality for everything configured."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from coinlake.cli.common import console, settings_for
from coinlake.cli.output import FormatOption, check_format, print_json

if TYPE_CHECKING:
    from coinlake.app.run import RunPass

EXIT_PARTIAL = 1
"""Some step failed, some succeeded (what landed was still transformed)."""
EXIT_FAILED = 3
"""No step succeeded."""


def run_json(done: RunPass) -> dict[str, object]:
    """The pass as one JSON document: its outcome and every step with its times."""
    return {
        "outcome": done.outcome,
        "steps": [
            {
                "step": step.step,
                "ok": step.ok,
                "detail": step.detail,
                "started_at": step.started_at,
                "finished_at": step.finished_at,
                "seconds": round((step.finished_at - step.started_at).total_seconds(), 3),
            }
            for step in done.steps
        ],
    }


def run(
    ctx: typer.Context,
    transform: Annotated[
        bool,
        typer.Option(
            "--transform/--no-transform",
            help="Also build Silver and Gold and run the quality checks (default), or ingest only.",
        ),
    ] = True,
    fmt: FormatOption = "table",
) -> None:
    """One pass of everything configured: ingest every source, transform, check quality.

    Exit status: 0 every step succeeded, 1 some step failed (partial), 3 every step failed,
    2 a setting or flag to fix. What a system cron, a CI job or a container calls. With
    `--format json` stdout holds one document: the outcome and each step.
    """
    from coinlake.app.lake import open_lake
    from coinlake.app.run import StepResult, run_pass
    from coinlake.cli import common
    from coinlake.cli.quality import quality_config_for

    check_format(fmt)
    settings = settings_for(ctx)
    if transform and settings.lake_is_s3 and settings.engine == "duckdb":
        from coinlake.errors import ConfigError

        raise ConfigError(
            f"--lake {settings.lake}: transforms of an S3 lake run on Spark (the Glue job); "
            "use `coinlake run --no-transform` here, or --engine spark"
        )

    def show(step: StepResult) -> None:
        if fmt == "json":
            return
        mark = "ok" if step.ok else "[red]failed[/]"
        took = (step.finished_at - step.started_at).total_seconds()
        console.print(f"{step.step:<10} {mark} in {took:.1f}s: {step.detail}", highlight=False)

    done = run_pass(
        settings,
        open_lake(settings),
        common.clock,
        quality=quality_config_for(ctx) if transform else None,
        transform=transform,
        on_step=show,
    )
    if fmt == "json":
        print_json(run_json(done))
    else:
        console.print(f"run: {done.outcome}", highlight=False)
    if done.outcome == "partial":
        raise typer.Exit(EXIT_PARTIAL)
    if done.outcome == "failed":
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add `run` to the `coinlake` app."""
    app.command("run")(run)
