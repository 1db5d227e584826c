"""One HTTP client per API: timeouts, rate limiting, retries, error translation, raw responses.

`ApiClient.get` returns a `RawResponse` that keeps the body bytes exactly as received, the status
and headers, and the request (URL and params) with secrets removed: everything the Bronze layer
needs to land the response untouched. Parsing is a separate, pure step (`parse_*` in each source
module), so a body that fails to parse can still be landed and reported.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from coinlake import __version__
from coinlake.errors import (
    BadResponseError,
    RateLimitedError,
    SourceError,
    UnreachableError,
    UpstreamUnavailableError,
)
from coinlake.sources.redact import is_secret_name, redact_headers, redact_params, scrub

if TYPE_CHECKING:
    import httpx
    from pydantic import SecretStr

    from coinlake.domain.clock import Clock
    from coinlake.sources.ratelimit import TokenBucket
    from coinlake.sources.retry import RetryPolicy

log = logging.getLogger(__name__)

ParamValue = str | int | None

# Headers worth keeping in a Bronze envelope: pagination cursors, rate-limit state, content type.
KEPT_HEADERS = (
    "cb-before",
    "cb-after",
    "content-type",
    "date",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
)


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """A request as it may be logged or landed: no secrets anywhere."""

    method: str
    """HTTP method (`GET`)."""
    url: str
    """Base URL plus path, without query string."""
    params: dict[str, str]
    """Query parameters, secret ones removed."""

    def display(self) -> str:
        """`METHOD url?params` for log lines and error messages."""
        query = "&".join(f"{key}={value}" for key, value in self.params.items())
        return f"{self.method} {self.url}" + (f"?{query}" if query else "")


@dataclass(frozen=True, slots=True)
class RawResponse:
    """One successful (2xx) API response, body untouched."""

    api: str
    """`coinbase` or `coingecko`."""
    endpoint: str
    """Path template, e.g. `/products/{product_id}/trades`."""
    request: RequestInfo
    """What was asked, secrets removed."""
    status: int
    """HTTP status."""
    headers: dict[str, str]
    """All response headers, lower-case names, credentials masked."""
    body: bytes = field(repr=False)
    """The body bytes exactly as received (after transfer decoding)."""
    fetched_at: datetime
    """When the response arrived (UTC)."""
    elapsed_s: float
    """Seconds from the first attempt to the response, waits and retries included."""
    attempts: int
    """Attempts it took (1 = no retry)."""

    def header(self, name: str) -> str | None:
        """A response header by (case-insensitive) name."""
        return self.headers.get(name.lower())

    def kept_headers(self) -> dict[str, str]:
        """The headers worth landing (`KEPT_HEADERS`) that are present."""
        return {name: self.headers[name] for name in KEPT_HEADERS if name in self.headers}


class ApiClient:
    """HTTP GET against one API's base URL, with a timeout on every call.

    Each request first takes a token from the API's shared `TokenBucket`, then goes through the
    `RetryPolicy`. httpx errors and bad statuses become `coinlake.errors`:
    `UpstreamUnavailableError` (timeouts, connection errors, 5xx), `RateLimitedError` (429, with
    `retry_after_s`), `BadResponseError` (other non-2xx, with the API's own message).
    """

    def __init__(
        self,
        api: str,
        base_url: str,
        *,
        timeout_s: float,
        clock: Clock,
        retry: RetryPolicy,
        limiter: TokenBucket | None = None,
        secret_headers: Mapping[str, SecretStr] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api = api
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.clock = clock
        self.retry = retry
        self.limiter = limiter
        self._secret_headers = dict(secret_headers or {})
        self._reached = False
        """True once the API answered anything: a later connect timeout is then a blip."""
        self._unreachable: UnreachableError | None = None
        """Set when no connection could be made: later requests fail at once with it."""
        import httpx  # here, not at import: the ingestion Lambda's cold start skips it

        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout_s),
            headers={"user-agent": f"coinlake/{__version__}", "accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"ApiClient(api={self.api!r}, base_url={self.base_url!r})"

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def get(
        self,
        path: str,
        params: Mapping[str, ParamValue] | None = None,
        *,
        endpoint: str | None = None,
    ) -> RawResponse:
        """GET `base_url + path` with retries; return the raw 2xx response.

        Args:
            path: path below the base URL, e.g. `/products/BTC-USD/trades`.
            params: query parameters; None values are left out.
            endpoint: path template for logs and errors (defaults to `path`).

        Raises:
            RateLimitedError: still 429 after the retries.
            UpstreamUnavailableError: still 5xx, timing out or unreachable after the retries.
            BadResponseError: any other non-2xx status (not retried).
        """
        sent = {key: str(value) for key, value in (params or {}).items() if value is not None}
        # A key given as a query parameter travels as its equivalent header instead, so that no
        # URL (httpx logs them at INFO, exceptions carry them) ever holds a secret.
        moved = {
            key.replace("_", "-").lower(): value
            for key, value in sent.items()
            if is_secret_name(key)
        }
        sent = {key: value for key, value in sent.items() if not is_secret_name(key)}
        info = RequestInfo("GET", self.base_url + path, redact_params(sent))
        endpoint = endpoint or path
        started = self.clock.monotonic()

        def attempt(number: int) -> RawResponse:
            if self.limiter is not None:
                self.limiter.acquire()
            response = self._send(info, sent, moved, endpoint)
            return RawResponse(
                api=self.api,
                endpoint=endpoint,
                request=info,
                status=response.status_code,
                headers=redact_headers(response.headers.items()),
                body=response.content,
                fetched_at=self.clock.now(),
                elapsed_s=self.clock.monotonic() - started,
                attempts=number,
            )

        raw = self.retry.call(attempt, what=f"{self.api} {info.display()}")
        log.debug(
            "%s %s -> %d, %d bytes, %d attempt(s), %.3fs",
            self.api,
            info.display(),
            raw.status,
            len(raw.body),
            raw.attempts,
            raw.elapsed_s,
        )
        return raw

    def _send(
        self, info: RequestInfo, sent: dict[str, str], moved: dict[str, str], endpoint: str
    ) -> httpx.Response:
        import httpx

        where = f"{self.api} {info.display()}"
        if self._unreachable is not None:  # the rest of this run meets the same closed door
            raise UnreachableError(str(self._unreachable), api=self.api, endpoint=endpoint)
        headers = {name: value.get_secret_value() for name, value in self._secret_headers.items()}
        headers.update(moved)
        try:
            with self._http.stream("GET", info.url, params=sent, headers=headers) as streamed:
                response = read_capped(streamed, where)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if isinstance(exc, httpx.ConnectTimeout) and self._reached:
                raise UpstreamUnavailableError(  # a host that answered before: a blip, retried
                    f"{where}: connecting timed out after {self.timeout_s}s; try again later",
                    api=self.api,
                    endpoint=endpoint,
                ) from exc
            self._unreachable = UnreachableError(
                self._scrub(
                    moved,
                    f"cannot connect to {self.api} at {self.base_url}: "
                    f"{str(exc).rstrip('.') or type(exc).__name__}; check the URL "
                    f"(COINLAKE_{self.api.upper()}_URL) and the network",
                ),
                api=self.api,
                endpoint=endpoint,
            )
            raise self._unreachable from exc
        except httpx.TimeoutException as exc:
            raise UpstreamUnavailableError(
                f"{where} timed out after {self.timeout_s}s; the API is slow or unreachable, "
                "try again later",
                api=self.api,
                endpoint=endpoint,
            ) from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailableError(
                self._scrub(
                    moved,
                    f"{where} failed: {type(exc).__name__}: {str(exc).rstrip('.')}; "
                    "check the base URL and the network",
                ),
                api=self.api,
                endpoint=endpoint,
            ) from exc
        except httpx.HTTPError as exc:
            raise BadResponseError(
                self._scrub(moved, f"{where} failed: {type(exc).__name__}: {exc}"),
                api=self.api,
                endpoint=endpoint,
            ) from exc
        self._reached = True
        self._check_status(response, where, endpoint, moved)
        return response

    def _check_status(
        self, response: httpx.Response, where: str, endpoint: str, moved: dict[str, str]
    ) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        message = self._scrub(moved, f"{where} -> HTTP {status}: {api_message(response.content)}")
        error: SourceError
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"), self.clock.now())
            error = RateLimitedError(
                f"{message}; slow down (lower the configured rate) or retry later",
                api=self.api,
                endpoint=endpoint,
                retry_after_s=retry_after,
            )
        elif status >= 500:
            error = UpstreamUnavailableError(message, api=self.api, endpoint=endpoint)
        else:
            error = BadResponseError(message, api=self.api, endpoint=endpoint, status=status)
        raise error

    def _scrub(self, moved: dict[str, str], text: str) -> str:
        secrets = [value.get_secret_value() for value in self._secret_headers.values()]
        return scrub(text, [*secrets, *moved.values()])


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """`Retry-After` in seconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - now).total_seconds())


MAX_BODY_BYTES = 64 * 1024 * 1024
"""Largest response body read (a Coinbase page is ~0.1 MB): a bigger one is refused unread."""


def read_capped(
    response: httpx.Response, where: str, limit: int = MAX_BODY_BYTES
) -> httpx.Response:
    """The streamed `response` read whole, as a plain response, if it is at most `limit` bytes.

    Raises:
        BadResponseError: the body is larger than `limit` (read no further: bounded memory).
    """
    import httpx

    too_big = BadResponseError(f"{where}: the response is larger than {limit // 2**20} MB; refused")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    size = 0
    chunks: list[bytes] = []
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    # The bytes are decoded already: the copy must not decode them (or count them) again.
    headers = [
        (k, v) for k, v in response.headers.multi_items()
        if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]  # fmt: skip
    return httpx.Response(
        response.status_code, headers=headers, content=b"".join(chunks), request=response.request
    )


_TAG = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")
MESSAGE_LIMIT = 200


def api_message(body: bytes) -> str:
    """The API's own error message, from any body: JSON of either API, HTML or plain text.

    Coinbase sends `{"message": ...}`; CoinGecko `{"error": "..."}`,
    `{"status": {"error_message": ...}}` or `{"error": {"status": {...}}}`; a Cloudflare page is
    HTML. Never raises.
    """
    text = body.decode("utf-8", errors="replace")
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    found = _json_message(document)
    if found is None:
        title = _TITLE.search(text)
        found = title.group(1) if title else _TAG.sub(" ", text)
    found = _SPACE.sub(" ", found).strip() or "(empty body)"
    return found if len(found) <= MESSAGE_LIMIT else found[: MESSAGE_LIMIT - 3] + "..."


def _json_message(document: object) -> str | None:
    if not isinstance(document, dict):
        return None
    for key in ("message", "error_message", "error", "status"):
        value = document.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            inner = _json_message(value)
            if inner is not None:
                return inner
    return None
