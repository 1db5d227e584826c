"""What an API handler returns: a status, a JSON-able body and extra headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(slots=True)
class Response:
    """One answer; the body is encoded with `jsonout.encode` unless `raw` is set."""

    status: int
    body: object
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"


class BadParam(ValueError):
    """A handler's parameter check failed; carries the ready response."""

    def __init__(self, response: Response) -> None:
        super().__init__(str(response.body))
        self.response = response


def parse_time(text: str) -> datetime | None:
    """Unix seconds (int or decimal) or ISO 8601 (`Z`, offsets or a bare date) to UTC, else None."""
    text = text.strip()
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
