"""Fire jobs at their schedules' times on a `Clock`, one at a time, until told to stop.

Jobs run in the scheduler's thread, in the order they fall due (ties: the order given), like
one EventBridge target each with concurrency 1. A job that fails is logged and fires again at
its next time; a job that overruns its next firing(s) skips them (counted as `missed`) rather
than running back to back, as a missed EventBridge invocation is not replayed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from coinlake.app.jobs import JobOutcome
from coinlake.domain.clock import Clock
from coinlake.errors import CoinlakeError
from coinlake.schedule.expressions import Schedule

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A named action and when it fires."""

    name: str
    schedule: Schedule
    action: Callable[[], JobOutcome]


@dataclass(frozen=True, slots=True)
class Firing:
    """One run of a job."""

    job: str
    due_at: datetime
    started_at: datetime
    ok: bool
    missed: int
    """Firings of this job skipped since its previous run because that run overran them."""
    detail: str = ""
    """The job's account of the run, or the error that stopped it."""
    finished_at: datetime | None = None


@dataclass
class _Due:
    job: ScheduledJob
    at: datetime
    missed: int = 0


@dataclass
class ScheduleRun:
    """What a scheduler run did."""

    firings: list[Firing] = field(default_factory=list)

    @property
    def failures(self) -> int:
        """Firings that failed."""
        return sum(1 for f in self.firings if not f.ok)


def run_schedule(
    jobs: Sequence[ScheduledJob],
    clock: Clock,
    *,
    until: datetime | None = None,
    max_firings: int | None = None,
    on_firing: Callable[[Firing], None] | None = None,
) -> ScheduleRun:
    """Fire `jobs` on `clock` until `until` (exclusive) or `max_firings`, forever if neither.

    Ctrl-C (KeyboardInterrupt) stops the loop between or during jobs and propagates.
    """
    result = ScheduleRun()
    now = clock.now()
    queue = [_Due(job, job.schedule.next_after(now)) for job in jobs]
    while queue and (max_firings is None or len(result.firings) < max_firings):
        due = min(queue, key=lambda d: d.at)  # ties: the first in `jobs`
        if until is not None and due.at >= until:
            wait = (until - clock.now()).total_seconds()
            if wait > 0:
                clock.sleep(wait)
            break
        wait = (due.at - clock.now()).total_seconds()
        if wait > 0:
            clock.sleep(wait)
        firing = _fire(due, clock)
        result.firings.append(firing)
        if on_firing is not None:
            on_firing(firing)
        _reschedule(due, clock.now())
    return result


def _fire(due: _Due, clock: Clock) -> Firing:
    started = clock.now()
    log.info("schedule: %s fires (due %s)", due.job.name, due.at.isoformat())
    try:
        outcome = due.job.action()
    except CoinlakeError as exc:
        outcome = JobOutcome(ok=False, detail=f"error: {exc}")
        log.error("schedule: %s failed: %s", due.job.name, exc)
    return Firing(
        due.job.name, due.at, started, outcome.ok, due.missed, outcome.detail, clock.now()
    )


def _reschedule(due: _Due, now: datetime) -> None:
    """Move `due` to its first firing after `now`, counting the ones an overrun skipped."""
    following = due.job.schedule.next_after(due.at)
    missed = 0
    while following <= now:
        missed += 1
        following = due.job.schedule.next_after(following)
    if missed:
        log.warning("schedule: %s overran %d firing(s); they are skipped", due.job.name, missed)
    due.at, due.missed = following, missed
