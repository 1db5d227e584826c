from __future__ import annotations

import pytest

from coinlake.devtools.fake_clock import FakeClock
from coinlake.errors import (
    BadResponseError,
    RateLimitedError,
    SchemaDriftError,
    UpstreamUnavailableError,
)
from coinlake.sources.retry import RetryPolicy, is_retryable


def policy(clock: FakeClock, **kwargs: object) -> RetryPolicy:
    values: dict[str, object] = {
        "attempts": 5,
        "deadline_s": 100.0,
        "base_s": 1.0,
        "cap_s": 4.0,
        "sleep": clock.sleep,
        "random": lambda: 0.25,
        "monotonic": clock.monotonic,
    }
    values.update(kwargs)
    return RetryPolicy(**values)  # type: ignore[arg-type]


class Flaky:
    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.seen: list[int] = []

    def __call__(self, attempt: int) -> str:
        self.seen.append(attempt)
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_backoff_is_exponential_with_equal_jitter_and_a_cap(clock: FakeClock) -> None:
    fn = Flaky(*[UpstreamUnavailableError("503")] * 4)
    assert policy(clock).call(fn) == "ok"
    # e = min(4, 1 * 2**(n-1)) -> 1, 2, 4, 4; delay = e/2 + 0.25 * e/2
    assert clock.sleeps == [0.625, 1.25, 2.5, 2.5]
    assert fn.seen == [1, 2, 3, 4, 5]


def test_jitter_comes_from_the_injected_random(clock: FakeClock) -> None:
    values = iter([0.0, 0.999])
    fn = Flaky(UpstreamUnavailableError("x"), UpstreamUnavailableError("x"))
    policy(clock, random=lambda: next(values)).call(fn)
    assert clock.sleeps == [0.5, pytest.approx(1.999)]


def test_retry_after_is_honoured_exactly_even_above_the_cap(clock: FakeClock) -> None:
    fn = Flaky(RateLimitedError("429", retry_after_s=7.0), RateLimitedError("429"))
    assert policy(clock).call(fn) == "ok"
    assert clock.sleeps == [7.0, 1.25]


@pytest.mark.parametrize(
    "error",
    [BadResponseError("400", status=400), SchemaDriftError("drift"), ValueError("bug")],
    ids=["4xx", "schema-drift", "programming-error"],
)
def test_non_transient_errors_are_raised_at_once(clock: FakeClock, error: Exception) -> None:
    fn = Flaky(error)
    with pytest.raises(type(error)):
        policy(clock).call(fn)
    assert fn.seen == [1]
    assert clock.sleeps == []


def test_attempts_bound_the_retries_and_the_last_error_is_raised(clock: FakeClock) -> None:
    errors = [UpstreamUnavailableError(f"failure {n}") for n in range(1, 10)]
    fn = Flaky(*errors)
    with pytest.raises(UpstreamUnavailableError, match="failure 3"):
        policy(clock, attempts=3).call(fn)
    assert fn.seen == [1, 2, 3]
    assert len(clock.sleeps) == 2


def test_no_sleep_may_cross_the_deadline(clock: FakeClock) -> None:
    class Slow(Flaky):
        def __call__(self, attempt: int) -> str:
            clock.advance(2.0)  # each attempt itself takes 2 s
            return super().__call__(attempt)

    fn = Slow(*[UpstreamUnavailableError("503")] * 9)
    with pytest.raises(UpstreamUnavailableError):
        policy(clock, attempts=20, deadline_s=10.0).call(fn)
    # t=2 fail, sleep .625 -> t=4.625 fail, sleep 1.25 -> t=7.875 fail, next sleep 2.5 would end
    # at 10.375 > 10: give up.
    assert clock.sleeps == [0.625, 1.25]
    assert fn.seen == [1, 2, 3]


def test_a_retry_after_longer_than_the_deadline_gives_up_immediately(clock: FakeClock) -> None:
    fn = Flaky(RateLimitedError("429", retry_after_s=119.0))
    with pytest.raises(RateLimitedError) as caught:
        policy(clock, deadline_s=60.0).call(fn)
    assert caught.value.retry_after_s == 119.0
    assert clock.sleeps == []


def test_only_transient_source_errors_are_retryable() -> None:
    assert is_retryable(RateLimitedError("x"))
    assert is_retryable(UpstreamUnavailableError("x"))
    assert not is_retryable(BadResponseError("x"))
    assert not is_retryable(TimeoutError())


def test_invalid_policies_are_rejected() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="deadline"):
        RetryPolicy(deadline_s=0)
