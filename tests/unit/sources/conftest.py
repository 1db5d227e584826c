"""Helpers for source tests: an ApiClient on httpx.MockTransport and a FakeClock."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from coinlake.devtools.fake_clock import FakeClock
from coinlake.sources.http import ApiClient
from coinlake.sources.ratelimit import TokenBucket
from coinlake.sources.retry import RetryPolicy

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that records requests and replays scripted responses."""

    def __init__(self, *responses: httpx.Response | Exception | Handler) -> None:
        self.script = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.script:
            raise AssertionError(f"unexpected request {request.url}")
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, Exception):
            raise item
        if isinstance(item, httpx.Response):
            return item
        return item(request)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Callable[..., ApiClient]:
    def make(
        handler: Handler,
        *,
        api: str = "coinbase",
        base_url: str = "https://api.test",
        attempts: int = 4,
        deadline_s: float = 60.0,
        jitter: float = 0.5,
        limiter: TokenBucket | None = None,
        secret_headers: dict[str, SecretStr] | None = None,
    ) -> ApiClient:
        retry = RetryPolicy(
            attempts=attempts,
            deadline_s=deadline_s,
            base_s=1.0,
            cap_s=8.0,
            sleep=clock.sleep,
            random=lambda: jitter,
            monotonic=clock.monotonic,
        )
        return ApiClient(
            api,
            base_url,
            timeout_s=5.0,
            clock=clock,
            retry=retry,
            limiter=limiter,
            secret_headers=secret_headers,
            transport=httpx.MockTransport(handler),
        )

    return make
