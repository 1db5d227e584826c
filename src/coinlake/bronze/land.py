"""Land one API response in Bronze: an envelope under a deterministic key, create-only.

Bronze is never overwritten: `land_response` writes with `put_if_absent` (S3 `If-None-Match: *`,
local exclusive link), so a re-fetch of the same page is a no-op that reports `written=False`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from coinlake.bronze.keys import InvalidBronzeKeyError, parse_bronze_key
from coinlake.domain.envelope import EnvelopeMeta, build_envelope
from coinlake.storage.base import ObjectStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LandResult:
    """What landing one response did."""

    key: str
    """The lake-relative Bronze key."""
    uri: str
    """Where it is: `s3://bucket/prefix/key` or an absolute local path (for logs)."""
    written: bool
    """True when this call created the object; False when it was already there (kept as is)."""
    size: int
    """Bytes of the envelope this call built (the stored object's size when `written`)."""
    flagged: bool
    """True when the response was landed with a `parse_error`."""


def land_response(store: ObjectStore, key: str, meta: EnvelopeMeta, body: bytes) -> LandResult:
    """Wrap `body` in an envelope and create it at `key`; never overwrite.

    Args:
        store: the lake.
        key: a Bronze key from `coinlake.bronze.keys` for this response.
        meta: request and fetch metadata (with `parse_error` set when the body did not parse).
        body: the response body exactly as received.

    Raises:
        InvalidBronzeKeyError: `key` is not a Bronze key of `meta.source`/`meta.dataset`.
        StorageError: the write failed (missing bucket, access denied, disk error).
    """
    parsed = parse_bronze_key(key)
    if (parsed.source, parsed.dataset) != (meta.source, meta.dataset):
        raise InvalidBronzeKeyError(
            f"{key!r} is a {parsed.source}/{parsed.dataset} key but the response is "
            f"{meta.source}/{meta.dataset}"
        )
    data = build_envelope(meta, body)
    written = store.put_if_absent(key, data)
    uri = store.uri(key)
    if written:
        log.debug("landed %s (%d bytes)", uri, len(data))
    else:
        log.debug("already landed, kept as is: %s", uri)
    return LandResult(key, uri, written, len(data), meta.parse_error is not None)
