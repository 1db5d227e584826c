"""`coinlake run`: one pass of everything configured, for a system cron, a CI job or a container.

Every registered source is ingested (`app.ingest`), then the transforms run on the configured
engine and the quality checks after them (`app.quality`), exactly the jobs `coinlake schedule`
fires on its timers. A step that fails does not stop the next one (the transforms still build
what landed); the outcome says which steps failed:

- `ok`: every step succeeded;
- `partial`: some step failed and some succeeded;
- `failed`: no step succeeded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from coinlake.app.ingest import SourcesFactory, check_items, open_sources
from coinlake.app.jobs import JobOutcome, ingest_action, transform_action
from coinlake.config import Settings
from coinlake.domain.clock import Clock
from coinlake.errors import CoinlakeError, ConfigError
from coinlake.quality.config import QualityConfig
from coinlake.sources.registry import ALL, REGISTRY
from coinlake.storage.base import ObjectStore

Outcome = Literal["ok", "partial", "failed"]


@dataclass(frozen=True, slots=True)
class StepResult:
    """One step of the pass."""

    step: str
    ok: bool
    detail: str
    started_at: datetime
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class RunPass:
    """What one pass did, step by step."""

    steps: tuple[StepResult, ...]

    @property
    def outcome(self) -> Outcome:
        """`ok`, `partial` or `failed` (see the module docstring)."""
        good = sum(step.ok for step in self.steps)
        if good == len(self.steps):
            return "ok"
        return "partial" if good else "failed"


def run_pass(
    settings: Settings,
    store: ObjectStore,
    clock: Clock,
    *,
    quality: QualityConfig | None = None,
    transform: bool = True,
    sources: SourcesFactory = open_sources,
    on_step: Callable[[StepResult], None] | None = None,
) -> RunPass:
    """Ingest every registered source, then transform and check (unless `transform` is False).

    Raises:
        ConfigError: a setting the run cannot start with (an unknown coin, a bad lake, ...):
            a mistake to fix, not a failed step.
    """
    with sources(settings, clock) as opened:  # a typo stops the pass before anything lands
        check_items(opened, ALL, settings.products, store)
    steps: list[tuple[str, Callable[[], JobOutcome]]] = [
        (name, ingest_action(settings, store, name, clock, sources)) for name in REGISTRY.names()
    ]
    if transform:
        steps.append(("transform", transform_action(settings, quality=quality)))
    return RunPass(tuple(_run_steps(steps, clock, on_step)))


def _run_steps(
    steps: Sequence[tuple[str, Callable[[], JobOutcome]]],
    clock: Clock,
    on_step: Callable[[StepResult], None] | None,
) -> list[StepResult]:
    done: list[StepResult] = []
    for name, action in steps:
        started = clock.now()
        try:
            outcome = action()
        except ConfigError:
            raise
        except CoinlakeError as exc:  # the step failed; the next ones still run
            outcome = JobOutcome(ok=False, detail=str(exc))
        result = StepResult(name, outcome.ok, outcome.detail, started, clock.now())
        done.append(result)
        if on_step is not None:
            on_step(result)
    return done
