"""The id walk: a pure state machine that pages DOWN sequential ids with an `after` cursor,
and what a walk yields (`TradesPage`) and runs on (`IdWalkPager`).

This is how Coinbase pages trades (docs.cdp.coinbase.com, "Pagination"): `after=<id>` returns the
`limit` newest trades with ids below `id`; `before` is unreliable for gap filling (see
`docs/apis.md`), so we only ever walk down. A walk starts at the newest page (or below a given
id) and stops at the first page whose oldest id is at most `stop_at_id + 1`: every id above the
last one we already hold has then been seen, however long we were away. The stopping page is
landed as-is (Bronze is raw; Silver de-duplicates the overlap). Any source whose dataset declares
`id_walk` paging implements `IdWalkPager`; `coinlake.ingest.id_walk` drives it, naming no API.

Usage (the send loop lives in the client's `walk_trades`):

    walk = TradesWalk(stop_at_id=last_known_id, api=name)
    while (request := walk.next_request()) is not None:
        page = fetch(after=request.after, limit=request.limit)
        walk.advance(PageIds.of(ids_in_page, page.header("cb-after")))

An interrupted walk resumes with `TradesWalk(stop_at_id=c.stop_at_id, start_after=c.next_after,
top_id=c.top_id)` from its `checkpoint` c; once it is `done` and `reached`, the product's new
cursor is `checkpoint.new_cursor`. `ExactWalk` is the walk whose last page is cut to end
exactly at the stop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from coinlake.errors import BadResponseError

if TYPE_CHECKING:
    from coinlake.domain.records import Trade
    from coinlake.sources.http import RawResponse
    from coinlake.sources.idsearch import IdSearchResult

log = logging.getLogger(__name__)

MAX_LIMIT = 1000


class WalkStop(StrEnum):
    """Why a walk ended."""

    REACHED_KNOWN = "reached_known"
    """A page reached `stop_at_id + 1`: the gap is filled."""
    EXHAUSTED = "exhausted"
    """An empty page: there are no older trades (or none at all)."""
    CURSOR_AHEAD = "cursor_ahead"
    """The newest trade is older than `stop_at_id`: our cursor is ahead of the API (a reset
    exchange or sandbox, or state from another environment); not `reached`, report it."""
    MAX_PAGES = "max_pages"
    """The page budget ran out; resume from the checkpoint."""


@dataclass(frozen=True, slots=True)
class TradesRequest:
    """The next page to ask for."""

    after: int | None
    """Cursor: ask for ids below this one; None = the newest page."""
    limit: int
    """Page size (at most 1000)."""


@dataclass(frozen=True, slots=True)
class PageIds:
    """What the paginator needs to know about a page."""

    count: int
    """Number of trades on the page."""
    newest_id: int | None
    """Largest trade id on the page."""
    oldest_id: int | None
    """Smallest trade id on the page."""
    cb_after: int | None = None
    """The `CB-AFTER` header, when present and an integer."""

    @classmethod
    def of(cls, trade_ids: Sequence[int], cb_after: str | None = None) -> PageIds:
        """Summarise a page from its trade ids and its `CB-AFTER` header."""
        header = int(cb_after) if cb_after is not None and cb_after.strip().isdigit() else None
        if not trade_ids:
            return cls(0, None, None, header)
        return cls(len(trade_ids), max(trade_ids), min(trade_ids), header)


@dataclass(frozen=True, slots=True)
class WalkCheckpoint:
    """Enough to resume a walk, or to move the product's cursor once it is complete."""

    stop_at_id: int | None
    """The last id held before the walk began."""
    next_after: int | None
    """Where the next page starts (ids below it); None before the first page."""
    top_id: int | None
    """The newest id seen by the walk."""

    @property
    def new_cursor(self) -> int | None:
        """The product's last landed id once the walk has `reached` its stop."""
        known = [value for value in (self.stop_at_id, self.top_id) if value is not None]
        return max(known) if known else None


class TradesWalk:
    """Walk down from the newest page (or below `start_after`) to `stop_at_id`.

    Args:
        stop_at_id: the last trade id already landed; None walks to the start of history (or
            until `max_pages`).
        start_after: begin below this id instead of at the newest page (resuming, or a backfill
            with an upper bound).
        limit: page size, 1..1000.
        max_pages: stop after this many pages (the walk can be resumed from `checkpoint`).
        top_id: the newest id of an earlier, interrupted part of this walk.
        api: the source walked, for error messages.
    """

    def __init__(
        self,
        *,
        stop_at_id: int | None,
        start_after: int | None = None,
        limit: int = MAX_LIMIT,
        max_pages: int | None = None,
        top_id: int | None = None,
        api: str = "",
    ) -> None:
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        if max_pages is not None and max_pages < 1:
            raise ValueError("max_pages must be >= 1")
        self.stop_at_id = stop_at_id
        self.limit = limit
        self.max_pages = max_pages
        self.next_after = start_after
        self.top_id = top_id
        self.api = api
        self.pages = 0
        self.trades = 0
        self.header_mismatches = 0
        self.stopped: WalkStop | None = None

    @property
    def done(self) -> bool:
        """True once the walk has stopped."""
        return self.stopped is not None

    @property
    def reached(self) -> bool:
        """True when the walk covered every id above `stop_at_id` (the gap is filled)."""
        if self.stop_at_id is None:
            return self.stopped is WalkStop.EXHAUSTED
        return self.stopped is WalkStop.REACHED_KNOWN

    @property
    def checkpoint(self) -> WalkCheckpoint:
        """The state to persist for resuming (or, when done, for the new cursor)."""
        return WalkCheckpoint(self.stop_at_id, self.next_after, self.top_id)

    def next_request(self) -> TradesRequest | None:
        """The next page to fetch, or None when the walk is done."""
        if self.done:
            return None
        return TradesRequest(after=self.next_after, limit=self.limit)

    def advance(self, page: PageIds) -> None:
        """Take in the page answering `next_request()` and decide what comes next.

        Raises:
            BadResponseError: the page does not lie below the cursor (the API ignored `after`).
        """
        if self.done:
            raise RuntimeError("the walk is already done")
        self.pages += 1
        self.trades += page.count
        if page.newest_id is None or page.oldest_id is None:
            self.stopped = WalkStop.EXHAUSTED
            return
        if self.next_after is not None and page.newest_id >= self.next_after:
            raise BadResponseError(
                f"{self.api or 'id walk'} trades: asked for ids below {self.next_after} but got "
                f"up to {page.newest_id}; the API ignored the `after` cursor",
                api=self.api,
            )
        if page.cb_after is not None and page.cb_after != page.oldest_id:
            self.header_mismatches += 1
            log.warning(
                "CB-AFTER %d differs from the oldest trade id %d on the page; following the body",
                page.cb_after,
                page.oldest_id,
            )
        if self.top_id is None or page.newest_id > self.top_id:
            self.top_id = page.newest_id
        self.next_after = page.oldest_id
        self._decide_stop(page.newest_id, page.oldest_id)

    def _decide_stop(self, newest_id: int, oldest_id: int) -> None:
        if self.stop_at_id is not None:
            if self.pages == 1 and newest_id < self.stop_at_id:
                self.stopped = WalkStop.CURSOR_AHEAD
                return
            if oldest_id <= self.stop_at_id + 1:
                self.stopped = WalkStop.REACHED_KNOWN
                return
        if oldest_id <= 1:
            self.stopped = WalkStop.EXHAUSTED
        elif self.max_pages is not None and self.pages >= self.max_pages:
            self.stopped = WalkStop.MAX_PAGES


class ExactWalk(TradesWalk):
    """A walk whose last page is cut to end exactly at `stop_at_id + 1` (ids being sequential),
    so consecutive runs land every id once instead of re-landing the overlap of the stopping
    page. Where the exchange skipped ids the page reaches lower and the walk goes on as usual.
    """

    def next_request(self) -> TradesRequest | None:
        """The next page, no larger than the ids left above the stop; None once none are left
        (a walk resumed from a checkpoint saved after its last page is already `reached`)."""
        request = super().next_request()
        if request is None or request.after is None or self.stop_at_id is None:
            return request
        left = request.after - 1 - self.stop_at_id
        if left <= 0:
            self.stopped = WalkStop.REACHED_KNOWN
            return None
        return TradesRequest(request.after, min(request.limit, left))


@dataclass(frozen=True, slots=True)
class TradesPage:
    """One page of a walk: land `raw` in every case; `trades` is None if parsing failed."""

    product_id: str
    """The product walked."""
    request: TradesRequest
    """The cursor that produced it."""
    raw: RawResponse
    """The response as received."""
    trades: tuple[Trade, ...] | None
    """Parsed trades (newest first), None when `error` is set."""
    error: BadResponseError | None
    """Why the body could not be parsed (truncated JSON, schema drift)."""


BadPageHandler = Callable[[TradesPage], None]
"""Called with each page that did not parse (to land it flagged)."""


class IdWalkPager(Protocol):
    """A client with an `id_walk` dataset: what `coinlake.ingest.id_walk` calls."""

    def walk_trades(
        self, product_id: str, walk: TradesWalk, *, bad_page_retries: int = 2
    ) -> Iterator[TradesPage]:
        """Fetch the pages `walk` asks for, yielding each after `walk` took it in.

        Raises:
            SourceError: the API kept failing or kept sending bodies that do not parse.
        """
        ...

    def probe_trade(
        self,
        product_id: str,
        trade_id: int | None,
        *,
        on_bad_page: BadPageHandler | None = None,
        bad_page_retries: int = 2,
    ) -> tuple[int, datetime] | None:
        """(id, time) of the newest trade below `trade_id + 1` (the newest when None).

        Raises:
            SourceError: the API kept failing.
        """
        ...

    def find_trade_id_at(
        self, product_id: str, at: datetime, *, on_bad_page: BadPageHandler | None = None
    ) -> IdSearchResult:
        """The first id at or after `at`.

        Raises:
            SourceError: the API kept failing.
        """
        ...

    def plan_backfill(
        self,
        product_id: str,
        start_at: datetime,
        end_at: datetime | None = None,
        *,
        on_bad_page: BadPageHandler | None = None,
    ) -> TradesWalk:
        """The walk covering `[start_at, end_at]`.

        Raises:
            SourceError: the API kept failing.
        """
        ...
