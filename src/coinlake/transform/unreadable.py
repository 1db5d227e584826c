"""Bronze objects that cannot be read as an envelope: found, explained, and quarantined whole.

An object can be damaged after it landed (a truncated upload, a disk error, a hand edit) or be
something else dropped into a Bronze folder. The transform must neither abort on it (Bronze is
create-only, so every later run would abort the same way and no table would ever be built) nor
drop it silently. The runner asks this module about the objects that failed an engine's read
(DuckDB raises on bad JSON) or gave no row at all (Spark reads a bad file as one row of NULLs);
each one found becomes a quarantine record with rule `unreadable_object`, its key and the reason,
and the rest of the batch proceeds. The check is plain Python over the object's bytes, so both
engines quarantine exactly the same objects for exactly the same reasons.

The record's `ingested_at` is midnight UTC of the fetch date in the key (`date=YYYY-MM-DD` or
`year=/month=/day=`): the envelope's own `fetched_at` is inside the damaged bytes. A key without
a date (a stray file) is filed under 1970-01-01.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from coinlake.storage.base import ObjectStore, read_bytes
from coinlake.tables.spec import UNREADABLE_RULE

__all__ = ["UNREADABLE_RULE", "Unreadable", "fetch_date_of", "find_unreadable", "why_unreadable"]
_NO_DATE = date(1970, 1, 1)
_DATE = re.compile(r"/date=(\d{4}-\d{2}-\d{2})/")
_YMD = re.compile(r"/year=(\d{4})/month=(\d{2})/day=(\d{2})/")
_REASON_CHARS = 300
"""Reasons are cut to this length (a decoder's message can quote a long stretch of input)."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """One Bronze object that cannot be read, and why."""

    key: str
    reason: str
    fetch_date: date
    """The fetch date from the key (1970-01-01 when the key has none)."""


def why_unreadable(data: bytes | None) -> str | None:
    """Why these bytes are not a readable envelope, or None when they are one.

    An envelope is one JSON object (any whitespace) holding a `meta` object; a body of an
    unexpected shape is not this module's concern (the table's rules quarantine its rows).
    """
    if data is None:
        return "missing: listed, then gone when read"
    if not data.strip():
        return "empty object"
    try:
        document = json.loads(data)
    except UnicodeDecodeError as exc:
        return f"not UTF-8 ({exc.reason} at byte {exc.start})"
    except RecursionError:
        return "JSON nested too deeply"
    except ValueError as exc:
        return f"not JSON ({exc}; {len(data)} bytes, truncated?)"
    if not isinstance(document, dict) or not isinstance(document.get("meta"), dict):
        return "not a coinlake envelope (no meta object)"
    return None


def fetch_date_of(key: str) -> date:
    """The fetch date a Bronze key carries (1970-01-01 when it carries none)."""
    found = _DATE.search(key)
    try:
        if found:
            return date.fromisoformat(found.group(1))
        ymd = _YMD.search(key)
        if ymd:
            return date(int(ymd.group(1)), int(ymd.group(2)), int(ymd.group(3)))
    except ValueError:
        return _NO_DATE
    return _NO_DATE


def find_unreadable(store: ObjectStore, keys: Sequence[str]) -> list[Unreadable]:
    """The objects among `keys` that are not readable envelopes, in key order."""
    found = []
    for key in sorted(keys):
        reason = why_unreadable(read_bytes(store, key))
        if reason is not None:
            text = " ".join(reason.split())[:_REASON_CHARS]
            found.append(Unreadable(key, text, fetch_date_of(key)))
    return found
