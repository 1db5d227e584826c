"""The scheduler loop on a fake clock: order, failures, overruns, stopping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coinlake.app.jobs import JobOutcome
from coinlake.devtools.fake_clock import FakeClock
from coinlake.errors import UpstreamUnavailableError
from coinlake.schedule.expressions import parse_schedule
from coinlake.schedule.loop import ScheduledJob, run_schedule

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def job(name: str, expression: str, action: object) -> ScheduledJob:
    return ScheduledJob(name, parse_schedule(expression, anchor=START), action)  # type: ignore[arg-type]


def test_jobs_fire_in_time_order_and_the_clock_sleeps_between() -> None:
    clock = FakeClock(START)
    seen: list[tuple[str, datetime]] = []

    def record(name: str) -> object:
        def action() -> JobOutcome:
            seen.append((name, clock.now()))
            return JobOutcome(ok=True, detail=name)

        return action

    run = run_schedule(
        [job("trades", "rate(5 minutes)", record("trades")),
         job("transform", "cron(0/15 * * * ? *)", record("transform"))],
        clock,
        until=START + timedelta(minutes=31),
    )  # fmt: skip
    at = [(name, f"{moment:%H:%M}") for name, moment in seen]
    assert at == [
        ("trades", "12:05"), ("trades", "12:10"),
        ("trades", "12:15"), ("transform", "12:15"),  # a tie: the order given
        ("trades", "12:20"), ("trades", "12:25"),
        ("trades", "12:30"), ("transform", "12:30"),
    ]  # fmt: skip
    assert clock.now() == START + timedelta(minutes=31)
    assert run.failures == 0
    assert [f.detail for f in run.firings][:2] == ["trades", "trades"]


def test_a_failing_job_is_reported_and_fires_again() -> None:
    clock = FakeClock(START)
    calls = 0

    def flaky() -> JobOutcome:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise UpstreamUnavailableError("coinbase: 503 after 6 attempts")
        return JobOutcome(ok=calls != 2, detail=f"call {calls}")

    run = run_schedule([job("trades", "rate(1 minute)", flaky)], clock, max_firings=3)
    assert [(f.ok, f.detail) for f in run.firings] == [
        (False, "error: coinbase: 503 after 6 attempts"),
        (False, "call 2"),
        (True, "call 3"),
    ]
    assert run.failures == 2


def test_an_overrun_skips_the_firings_it_covered_instead_of_running_back_to_back() -> None:
    clock = FakeClock(START)
    durations = iter([timedelta(minutes=12), timedelta(seconds=10), timedelta(seconds=10)])

    def slow() -> JobOutcome:
        clock.advance(next(durations).total_seconds())
        return JobOutcome(ok=True)

    run = run_schedule([job("trades", "rate(5 minutes)", slow)], clock, max_firings=3)
    # fired 12:05, ran until 12:17: 12:10 and 12:15 are skipped, next is 12:20
    assert [f"{f.started_at:%H:%M}" for f in run.firings] == ["12:05", "12:20", "12:25"]
    assert [f.missed for f in run.firings] == [0, 2, 0]


def test_until_before_the_first_firing_only_waits() -> None:
    clock = FakeClock(START)
    run = run_schedule(
        [job("daily", "cron(0 17 * * ? *)", lambda: JobOutcome(ok=True))],
        clock,
        until=START + timedelta(hours=1),
    )
    assert run.firings == []
    assert clock.now() == START + timedelta(hours=1)
