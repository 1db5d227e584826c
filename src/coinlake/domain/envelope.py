"""The Bronze envelope: one API response, untouched, with what we knew when we fetched it.

An envelope is one JSON object whose *last* member carries the response body:

    {"meta": {...request, status, headers, fetched_at...}, "body": <the body bytes verbatim>}

When the body is valid UTF-8 JSON its bytes are spliced in verbatim after `"body":`, so the file
holds exactly what the API sent and engines (DuckDB, Spark) read the trades straight out of
`body` without a second JSON parse. When it is not (truncated JSON, an HTML error page) the body is
kept as `"body_text"` (a JSON string) or, for bytes that are not UTF-8, `"body_base64"`, and
`meta.parse_error` says why. `split_envelope()` gives the original bytes back in every case.

`meta.body_size` and `meta.body_sha256` record the body's length and SHA-256 as received, so
damage after landing (a truncated copy, a flipped byte) is found by `coinlake verify` without a
second object per response (envelopes landed before these fields existed have neither).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from coinlake.errors import BadResponseError

ENVELOPE_VERSION = 1
BodyEncoding = Literal["json", "text", "base64"]


@dataclass(frozen=True, slots=True)
class EnvelopeMeta:
    """What we knew about one API call when we landed its response."""

    source: str
    """`coinbase` or `coingecko`."""
    dataset: str
    """`trades`, `candles`, `simple_price`, `market_chart_range`, ..."""
    url: str
    """Request URL without query string and without secrets."""
    params: dict[str, str]
    """Query parameters, secrets removed."""
    status: int
    """HTTP status of the response."""
    headers: dict[str, str]
    """Response headers worth keeping (pagination, rate limit, content type), lower-case names."""
    fetched_at: datetime
    """When the response was received (UTC)."""
    client_version: str
    """coinlake version that fetched it."""
    product: str | None = None
    """Coinbase product (`BTC-USD`) or CoinGecko coin id, when the call was about one."""
    parse_error: str | None = None
    """Why the body could not be parsed, when it could not; None for a good response."""
    extra: dict[str, str] = field(default_factory=dict)
    """Anything else a source wants to keep (first/last trade id, range bounds)."""

    def to_json_dict(self) -> dict[str, Any]:
        """The meta object as written to the envelope."""
        if self.fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware")
        return {
            "envelope_version": ENVELOPE_VERSION,
            "source": self.source,
            "dataset": self.dataset,
            "product": self.product,
            "request": {"method": "GET", "url": self.url, "params": self.params},
            "status": self.status,
            "headers": self.headers,
            "fetched_at": format_timestamp(self.fetched_at),
            "client_version": self.client_version,
            "parse_error": self.parse_error,
            "extra": self.extra,
        }


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with microseconds and a `Z`, e.g. `2026-11-22T10:00:00.123456Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    """Inverse of `format_timestamp` (also accepts `+00:00` and missing fractions)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a timezone: {text!r}")
    return moment.astimezone(UTC)


def body_is_json(body: bytes) -> bool:
    """True when `body` can be spliced verbatim into an envelope."""
    if body.startswith(b"\xef\xbb\xbf"):
        return False
    try:
        json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return True


def build_envelope(meta: EnvelopeMeta, body: bytes) -> bytes:
    """Serialise one response: meta first, then the body verbatim (or as text/base64)."""
    document = meta.to_json_dict()
    document["body_size"] = len(body)
    document["body_sha256"] = hashlib.sha256(body).hexdigest()
    meta_json = json.dumps(document, separators=(",", ":"), sort_keys=False)
    head = b'{"meta":' + meta_json.encode("utf-8")
    if meta.parse_error is None and body_is_json(body):
        return head + b',"body":' + body + b"}\n"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        encoded = json.dumps(base64.b64encode(body).decode("ascii"))
        return head + b',"body_base64":' + encoded.encode("ascii") + b"}\n"
    return head + b',"body_text":' + json.dumps(text).encode("utf-8") + b"}\n"


@dataclass(frozen=True, slots=True)
class Envelope:
    """An envelope read back: its meta as a dict and the body's original bytes."""

    meta: dict[str, Any]
    body: bytes
    encoding: BodyEncoding

    @property
    def parse_error(self) -> str | None:
        """The reason the body was flagged at landing, if it was."""
        value = self.meta.get("parse_error")
        return None if value is None else str(value)


def body_damage(envelope: Envelope) -> str | None:
    """Why the body read back differs from the one landed, or None when it matches (or when
    the envelope predates the recorded size and hash)."""
    size, digest = envelope.meta.get("body_size"), envelope.meta.get("body_sha256")
    if size is None and digest is None:
        return None
    if size is not None and size != len(envelope.body):
        return f"body is {len(envelope.body)} bytes, {size} were landed"
    if digest is not None and digest != hashlib.sha256(envelope.body).hexdigest():
        return "body SHA-256 differs from the one recorded at landing"
    return None


def split_envelope(data: bytes) -> Envelope:
    """Recover the meta and the exact body bytes from an envelope file.

    Raises:
        BadResponseError: the bytes are not an envelope written by `build_envelope`.
    """
    try:
        document = json.loads(data)
        meta = document["meta"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadResponseError(f"not a coinlake envelope: {exc}") from exc
    if "body_text" in document:
        return Envelope(meta, str(document["body_text"]).encode("utf-8"), "text")
    if "body_base64" in document:
        return Envelope(meta, base64.b64decode(document["body_base64"]), "base64")
    # The body was spliced verbatim: it starts right after the first top-level `,"body":`
    # following the meta object, and ends before the closing `}` and newline.
    meta_end = len(b'{"meta":') + len(
        json.dumps(meta, separators=(",", ":"), sort_keys=False).encode("utf-8")
    )
    marker = b',"body":'
    if data[meta_end : meta_end + len(marker)] != marker:
        raise BadResponseError("not a coinlake envelope: body marker not found")
    body = data[meta_end + len(marker) :].rstrip(b"\n")
    if not body.endswith(b"}"):
        raise BadResponseError("not a coinlake envelope: unterminated")
    return Envelope(meta, body[:-1], "json")
