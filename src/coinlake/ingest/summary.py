"""What an ingest or backfill run did: one `ItemSummary` per product (or CoinGecko dataset).

The CLI prints these as a table, the Lambda handler returns them, and the run record in
`_state/runs/` stores `RunSummary.to_json()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from coinlake.bronze.state import JsonValue, RunStatus
from coinlake.domain.envelope import format_timestamp

ItemStatus = Literal["ok", "partial", "locked", "failed"]
"""`ok`: done; `partial`: stopped early by a page budget, resumes next run; `locked`: another run
holds the product (skipped, not an error); `failed`: see `error`."""


@dataclass(slots=True)
class ItemSummary:
    """Counts for one product (Coinbase) or one dataset (CoinGecko) in one run."""

    name: str
    """`BTC-USD`, `simple_price`, `bitcoin/usd`, ..."""
    source: str
    """`coinbase` or `coingecko`."""
    dataset: str
    """`trades`, `candles`, `simple_price`, `market_chart_range`."""
    status: ItemStatus = "ok"
    objects_written: int = 0
    """Bronze objects this run created."""
    objects_existing: int = 0
    """Responses whose key was already in Bronze (re-fetches: no-ops)."""
    pages: int = 0
    """Responses fetched (unparsable ones included)."""
    trades: int = 0
    """New trades (ids above the walk's stop) or records (candles, points, quotes)."""
    first_id: int | None = None
    """Smallest new trade id landed."""
    last_id: int | None = None
    """Largest new trade id landed."""
    gaps_repaired: int = 0
    """New trades below the newest page: what a poll of the newest page alone would have lost."""
    parse_failures: int = 0
    """Responses that did not parse (landed flagged)."""
    unparsed_keys: list[str] = field(default_factory=list)
    """Bronze keys of the flagged responses."""
    cursor: int | None = None
    """The product's trade cursor after the run."""
    note: str = ""
    """How the walk ended or why it was skipped."""
    error: str | None = None
    """Why the item failed."""

    def count_trades(self, ids: list[int]) -> None:
        """Add new trade ids to the counts."""
        if not ids:
            return
        self.trades += len(ids)
        low, high = min(ids), max(ids)
        self.first_id = low if self.first_id is None else min(self.first_id, low)
        self.last_id = high if self.last_id is None else max(self.last_id, high)

    @property
    def failed(self) -> bool:
        """True when the item failed or any of its responses did not parse."""
        return self.status == "failed" or self.parse_failures > 0

    def to_json(self) -> dict[str, JsonValue]:
        """The item as stored in the run record."""
        return {
            "name": self.name,
            "source": self.source,
            "dataset": self.dataset,
            "status": self.status,
            "objects_written": self.objects_written,
            "objects_existing": self.objects_existing,
            "pages": self.pages,
            "trades": self.trades,
            "first_id": self.first_id,
            "last_id": self.last_id,
            "gaps_repaired": self.gaps_repaired,
            "parse_failures": self.parse_failures,
            "unparsed_keys": list(self.unparsed_keys),
            "cursor": self.cursor,
            "note": self.note,
            "error": self.error,
        }


@dataclass(slots=True)
class RunSummary:
    """Every item of one run."""

    run_id: str
    command: str
    started_at: datetime
    items: list[ItemSummary] = field(default_factory=list)
    finished_at: datetime | None = None
    record_key: str | None = None
    """Where the run record was written."""

    @property
    def failed(self) -> bool:
        """True when any item failed or saw an unparsable response (the CLI exits non-zero)."""
        return any(item.failed for item in self.items)

    @property
    def status(self) -> RunStatus:
        """`running` until finished; then `succeeded`, `partial` or `failed` (every item)."""
        if self.finished_at is None:
            return "running"
        if not self.failed:
            return "succeeded"
        bad = [item for item in self.items if item.failed]
        return "failed" if len(bad) == len(self.items) else "partial"

    def to_json(self) -> dict[str, JsonValue]:
        """The summary stored in the run record."""
        return {
            "finished_at": None if self.finished_at is None else format_timestamp(self.finished_at),
            "items": [item.to_json() for item in self.items],
        }


class Progress(Protocol):
    """Progress reporting (a rich bar in the CLI; nothing in Lambda)."""

    def update(self, task: str, *, pages: int, trades: int, total: int | None) -> None:
        """`task` has fetched `pages` pages with `trades` records; `total` is the estimate."""


class NoProgress:
    """Progress that reports nothing."""

    def update(self, task: str, *, pages: int, trades: int, total: int | None) -> None:
        """Ignore the update."""
