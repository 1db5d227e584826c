"""`coinlake schedule`: ingestion and transforms on EventBridge schedule expressions, in-process."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any

import typer

from coinlake.cli.common import console, err_console, settings_for
from coinlake.config import Settings
from coinlake.errors import ConfigError
from coinlake.sources.registry import REGISTRY

OFF = "off"
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


def _source_setting(name: str) -> str:
    """`schedule_<source>`: the setting holding when a source is ingested."""
    return f"schedule_{name}"


def _scheduled_sources() -> tuple[str, ...]:
    """The registered sources with a `schedule_<source>` setting (each gets `--<source>`)."""
    return tuple(n for n in REGISTRY.names() if _source_setting(n) in Settings.model_fields)


def _source_option(name: str) -> inspect.Parameter:
    """`--<source>`: when to ingest it, e.g. `--coinbase 'rate(5 minutes)'`."""
    spec = REGISTRY.get(name)
    datasets = ", ".join(d.name for d in spec.datasets if d.ingest)
    default = Settings.model_fields[_source_setting(name)].default
    help_text = f"When to ingest {spec.display_name} ({datasets}), or 'off' [default {default}]."
    return inspect.Parameter(
        name,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        default=None,
        annotation=Annotated[str | None, typer.Option(f"--{name}", help=help_text)],
    )


def _with_source_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with one `--<source>` option per scheduled source in place of its `**sources`
    (typer reads the signature), so the registry decides the flags."""
    parameters = list(inspect.signature(command, eval_str=True).parameters.values())
    fixed = [p for p in parameters if p.kind is not inspect.Parameter.VAR_KEYWORD]
    options = [_source_option(name) for name in _scheduled_sources()]
    command.__signature__ = inspect.Signature([fixed[0], *options, *fixed[1:]])  # type: ignore[attr-defined]
    return command


def schedule(
    ctx: typer.Context,
    transform: Annotated[
        str | None,
        typer.Option(
            help="When to build Silver and Gold (DuckDB) and check them, or 'off' "
            "[rate(15 minutes)]."
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA zone the cron expressions are read in, e.g. America/Los_Angeles."),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Run every enabled job once now, in order, and exit.")
    ] = False,
    for_minutes: Annotated[
        float | None, typer.Option(help="Stop after this many minutes (default: until Ctrl-C).")
    ] = None,
    **sources: Any,
) -> None:
    """Run ingestion and transforms on EventBridge schedule expressions until Ctrl-C.

    The expressions are the ones the AWS deployment gives EventBridge, e.g. rate(5 minutes) or
    cron(0 17 * * ? *), read in UTC unless --timezone names a zone (as EventBridge Scheduler's
    ScheduleExpressionTimezone). Each job runs what `coinlake ingest` / `coinlake transform` run.
    """
    from datetime import timedelta

    from coinlake.app.jobs import ingest_action, transform_action
    from coinlake.app.lake import open_lake
    from coinlake.cli.quality import quality_config_for
    from coinlake.domain.clock import SystemClock
    from coinlake.schedule.expressions import parse_schedule, time_zone
    from coinlake.schedule.loop import Firing, ScheduledJob, run_schedule

    if for_minutes is not None and for_minutes <= 0:
        raise ConfigError("--for-minutes must be positive")
    settings = settings_for(
        ctx,
        **{_source_setting(name): sources.get(name) for name in _scheduled_sources()},
        schedule_transform=transform,
        schedule_timezone=timezone,
    )
    zone = time_zone(settings.schedule_timezone)
    clock = SystemClock()
    now = clock.now()
    wanted = {name: getattr(settings, _source_setting(name)) for name in _scheduled_sources()}
    wanted["transform"] = settings.schedule_transform
    schedules = {
        name: parse_schedule(text, anchor=now, timezone=zone)
        for name, text in wanted.items()
        if text.strip().lower() != OFF
    }
    if not schedules:
        raise ConfigError("every job is 'off': nothing to schedule")
    if "transform" in schedules and settings.lake.startswith("s3://"):
        raise ConfigError(
            "--transform: in-process transforms need a local lake; use --transform off and "
            "the Glue job for an s3:// lake"
        )
    store = open_lake(settings)
    actions = {
        name: partial(ingest_action, settings, store, name, clock) for name in REGISTRY.names()
    }
    actions["transform"] = partial(transform_action, settings, quality=quality_config_for(ctx))
    jobs = [ScheduledJob(name, when, actions[name]()) for name, when in schedules.items()]

    def show(firing: Firing) -> None:
        mark = "ok" if firing.ok else "[red]failed[/]"
        took = (firing.finished_at or firing.started_at) - firing.started_at
        skipped = f" ({firing.missed} overrun firing(s) skipped)" if firing.missed else ""
        console.print(
            f"{firing.started_at:%Y-%m-%d %H:%M:%S} {firing.job} {mark} "
            f"in {took.total_seconds():.1f}s: {firing.detail}{skipped}",
            highlight=False,
            soft_wrap=True,
        )

    if once:
        failed = 0
        for job in jobs:
            started = clock.now()
            outcome = job.action()
            failed += not outcome.ok
            show(Firing(job.name, started, started, outcome.ok, 0, outcome.detail, clock.now()))
        if failed:
            raise typer.Exit(EXIT_FAILED)
        return
    for job in jobs:
        first: datetime = job.schedule.next_after(now).astimezone(zone)
        console.print(
            f"{job.name:<10} {job.schedule.expression:<24} next {first:%Y-%m-%d %H:%M %Z} "
            f"({settings.schedule_timezone})",
            highlight=False,
            soft_wrap=True,
        )
    until = None if for_minutes is None else now + timedelta(minutes=for_minutes)
    try:
        result = run_schedule(jobs, clock, until=until, on_firing=show)
    except KeyboardInterrupt:
        err_console.print("schedule stopped (Ctrl-C)")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    console.print(f"{len(result.firings)} firings, {result.failures} failed")
    if result.failures:
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add `schedule` to the `coinlake` app."""
    app.command("schedule")(_with_source_options(schedule))
