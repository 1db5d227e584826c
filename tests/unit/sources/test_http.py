from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest
from pydantic import SecretStr

from coinlake.devtools.fake_clock import FakeClock
from coinlake.errors import BadResponseError, RateLimitedError, UpstreamUnavailableError
from coinlake.sources.http import ApiClient, api_message, parse_retry_after
from coinlake.sources.ratelimit import TokenBucket

from .conftest import Recorder

MakeClient = Callable[..., ApiClient]
BODY = b'[{"trade_id": 1, "price": "1.10"}]  \n'
CLOUDFLARE = (
    b"<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>"
    b"<body><h1>Sorry, you have been blocked</h1></body></html>"
)


def test_the_raw_response_keeps_body_status_headers_and_request(
    make_client: MakeClient, clock: FakeClock
) -> None:
    recorder = Recorder(
        httpx.Response(200, content=BODY, headers={"CB-AFTER": "1", "Content-Type": "x/y"})
    )
    raw = make_client(recorder).get(
        "/products/BTC-USD/trades",
        {"limit": 2, "after": None},
        endpoint="/products/{product_id}/trades",
    )
    assert raw.body == BODY
    assert raw.status == 200
    assert raw.header("cb-after") == "1"
    assert raw.kept_headers() == {"cb-after": "1", "content-type": "x/y"}
    assert raw.request.url == "https://api.test/products/BTC-USD/trades"
    assert raw.request.params == {"limit": "2"}
    assert raw.endpoint == "/products/{product_id}/trades"
    assert raw.fetched_at == clock.now()
    assert raw.attempts == 1
    assert str(recorder.requests[0].url) == "https://api.test/products/BTC-USD/trades?limit=2"


def test_every_call_has_a_timeout(make_client: MakeClient) -> None:
    recorder = Recorder(httpx.Response(200, content=b"[]"))
    make_client(recorder).get("/x")
    timeouts = recorder.requests[0].extensions["timeout"]
    assert timeouts == {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}


def test_5xx_then_200_is_retried_to_success(make_client: MakeClient, clock: FakeClock) -> None:
    recorder = Recorder(
        httpx.Response(503, content=CLOUDFLARE),
        httpx.Response(502, content=b""),
        httpx.Response(200, content=BODY),
    )
    raw = make_client(recorder).get("/x")
    assert raw.body == BODY
    assert raw.attempts == 3
    assert clock.sleeps == [0.75, 1.5]


def test_429_honours_retry_after_seconds(make_client: MakeClient, clock: FakeClock) -> None:
    body = b'{"status": {"error_code": 429, "error_message": "You\'ve exceeded the Rate Limit."}}'
    recorder = Recorder(
        httpx.Response(429, content=body, headers={"Retry-After": "3"}),
        httpx.Response(200, content=BODY),
    )
    assert make_client(recorder).get("/x").attempts == 2
    assert clock.sleeps == [3.0]


def test_429_without_retry_after_backs_off(make_client: MakeClient, clock: FakeClock) -> None:
    recorder = Recorder(
        httpx.Response(429, json={"message": "Public rate limit exceeded"}),
        httpx.Response(200, content=BODY),
    )
    make_client(recorder).get("/x")
    assert clock.sleeps == [0.75]


def test_429_that_persists_raises_rate_limited_with_retry_after(make_client: MakeClient) -> None:
    recorder = Recorder(httpx.Response(429, content=CLOUDFLARE, headers={"Retry-After": "2"}))
    with pytest.raises(RateLimitedError, match="Cloudflare") as caught:
        make_client(recorder, attempts=2).get("/x")
    assert caught.value.retry_after_s == 2.0
    assert caught.value.api == "coinbase"
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 404])
def test_other_4xx_are_not_retried_and_carry_the_api_message(
    make_client: MakeClient, clock: FakeClock, status: int
) -> None:
    recorder = Recorder(httpx.Response(status, json={"message": "NotFound"}))
    with pytest.raises(BadResponseError, match=f"HTTP {status}: NotFound") as caught:
        make_client(recorder).get("/products/NOPE-USD/trades")
    assert caught.value.status == status
    assert len(recorder.requests) == 1
    assert clock.sleeps == []


def test_timeouts_and_connection_errors_are_retried_then_translated(
    make_client: MakeClient,
) -> None:
    recorder = Recorder(
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("peer closed"),
    )
    with pytest.raises(UpstreamUnavailableError, match="RemoteProtocolError") as caught:
        make_client(recorder, attempts=3).get("/x")
    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)
    assert len(recorder.requests) == 3


def test_a_timeout_says_so(make_client: MakeClient) -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"))
    with pytest.raises(UpstreamUnavailableError, match=r"timed out after 5\.0s") as caught:
        make_client(recorder, attempts=1).get("/x")
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


def test_requests_take_a_token_from_the_shared_bucket(
    make_client: MakeClient, clock: FakeClock
) -> None:
    bucket = TokenBucket(rate_per_s=4, burst=1, clock=clock)
    first = make_client(Recorder(httpx.Response(200, content=b"[]")), limiter=bucket)
    second = make_client(Recorder(httpx.Response(200, content=b"[]")), limiter=bucket)
    first.get("/a")
    second.get("/b")
    first.get("/c")
    assert clock.sleeps == [0.25, 0.25]


def test_secrets_never_reach_request_info_errors_logs_or_reprs(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    key = "CG-supersecret"

    def echo(request: httpx.Request) -> httpx.Response:
        assert request.headers["x-cg-demo-api-key"] == key
        return httpx.Response(400, json={"error": f"bad key {key}"})

    client = make_client(
        Recorder(echo), api="coingecko", secret_headers={"x-cg-demo-api-key": SecretStr(key)}
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(BadResponseError) as caught:
        client.get("/simple/price", {"ids": "bitcoin", "x_cg_demo_api_key": key})
    assert key not in str(caught.value)
    assert "bad key ***" in str(caught.value)
    assert key not in repr(client)
    assert key not in caplog.text

    recorder = Recorder(httpx.Response(200, content=b"{}", headers={"set-cookie": "s=1"}))
    ok = make_client(recorder)
    raw = ok.get("/ping", {"x_cg_pro_api_key": key, "a": "b"})
    # A key given as a query parameter travels as the equivalent header, never in a URL.
    assert str(recorder.requests[0].url) == "https://api.test/ping?a=b"
    assert recorder.requests[0].headers["x-cg-pro-api-key"] == key
    assert raw.request.params == {"a": "b"}
    assert key not in repr(raw)
    assert raw.headers["set-cookie"] == "***"


def test_parse_retry_after_reads_seconds_and_http_dates(clock: FakeClock) -> None:
    now = clock.now()
    assert parse_retry_after("119", now) == 119.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("-5", now) == 0.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"message": "Public rate limit exceeded"}', "Public rate limit exceeded"),
        (b'{"error": "coin not found"}', "coin not found"),
        (b'{"status": {"error_code": 429, "error_message": "Too many"}}', "Too many"),
        (b'{"error": {"status": {"error_code": 10012, "error_message": "365 days"}}}', "365 days"),
        (CLOUDFLARE, "Attention Required! | Cloudflare"),
        (b"<p>bad\n   gateway</p>", "bad gateway"),
        (b"", "(empty body)"),
        (b"\xff\xfe garbage", "\ufffd\ufffd garbage"),
        (b"x" * 500, "x" * 197 + "..."),
    ],
    ids=[
        "coinbase",
        "gecko-404",
        "gecko-429",
        "gecko-10012",
        "html",
        "tags",
        "empty",
        "binary",
        "long",
    ],
)
def test_api_message_never_crashes(body: bytes, message: str) -> None:
    assert api_message(body) == message
