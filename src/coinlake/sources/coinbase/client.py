"""Coinbase Exchange public market data: trades (gapless walks, id search), candles, products.

Every `fetch_*` returns the `RawResponse` (exact body, status, headers, redacted request) so the
caller can land it before, and regardless of, parsing. The walking helpers yield pages that carry
both the raw response and the parsed trades, or the parse error.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from coinlake.domain.clock import Clock, SystemClock
from coinlake.domain.records import Candle, Product
from coinlake.errors import BadResponseError, ConfigError
from coinlake.sources.coinbase.parse import parse_candles, parse_products, parse_trades
from coinlake.sources.coinbase.source import GRANULARITIES
from coinlake.sources.http import ApiClient, RawResponse
from coinlake.sources.idsearch import IdSearchResult, first_trade_id_at
from coinlake.sources.idwalk import (
    MAX_LIMIT,
    BadPageHandler,
    PageIds,
    TradesPage,
    TradesRequest,
    TradesWalk,
)
from coinlake.sources.paging import Fetched
from coinlake.sources.ratelimit import BURST_HEADROOM, RATE_HEADROOM, TokenBucket
from coinlake.sources.retry import RetryPolicy

if TYPE_CHECKING:
    import httpx

    from coinlake.config import Settings

__all__ = ["GRANULARITIES", "CandlesPage", "CoinbaseSource", "TradesPage", "candle_windows"]

log = logging.getLogger(__name__)

API = "coinbase"
CANDLES_DATASET = "candles"
TRADES = "/products/{product_id}/trades"
CANDLES = "/products/{product_id}/candles"
PRODUCTS = "/products"
PRODUCT = "/products/{product_id}"
MAX_CANDLES = 300


@dataclass(frozen=True, slots=True)
class CandlesPage:
    """One candles request: land `raw`; `candles` is None if parsing failed."""

    product_id: str
    """The product."""
    start_at: datetime
    """Window start (requested)."""
    end_at: datetime
    """Window end (requested)."""
    granularity_s: int
    """Candle width in seconds."""
    raw: RawResponse
    """The response as received."""
    candles: tuple[Candle, ...] | None
    """Parsed candles (newest first), None when `error` is set."""
    error: BadResponseError | None
    """Why the body could not be parsed."""


class CoinbaseSource:
    """The Coinbase Exchange endpoints coinlake uses, on one shared `ApiClient`."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        limiter: TokenBucket | None = None,
        transport: httpx.BaseTransport | None = None,
        jitter: random.Random | None = None,
    ) -> CoinbaseSource:
        """Build the source: base URL, timeout, rate limit and retry policy from `settings`.

        Args:
            settings: the run's settings.
            clock: defaults to the system clock.
            limiter: share one bucket across sources/threads; built from settings when None.
            transport: an httpx transport (tests); the default opens real connections.
            jitter: random source for the retry jitter.
        """
        clock = clock or SystemClock()
        rng = jitter or random.Random()  # noqa: S311 - jitter, not cryptography
        client = ApiClient(
            API,
            settings.coinbase_url,
            timeout_s=settings.http_timeout_s,
            clock=clock,
            retry=RetryPolicy.from_settings(settings, clock, random=rng.random),
            limiter=limiter or coinbase_limiter(settings, clock),
            transport=transport,
        )
        return cls(client)

    def __enter__(self) -> CoinbaseSource:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    # -- trades -------------------------------------------------------------------------------

    def fetch_trades_page(
        self,
        product_id: str,
        *,
        after: int | None = None,
        before: int | None = None,
        limit: int = MAX_LIMIT,
    ) -> RawResponse:
        """GET one trades page: newest first; `after=<id>` gives ids below `id`."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        return self.client.get(
            f"/products/{_segment(product_id)}/trades",
            {"after": after, "before": before, "limit": limit},
            endpoint=TRADES,
        )

    def walk_trades(
        self, product_id: str, walk: TradesWalk, *, bad_page_retries: int = 2
    ) -> Iterator[TradesPage]:
        """Fetch the pages `walk` asks for, newest first, until it is done.

        Each page is yielded after `walk` has taken it in, so `walk.checkpoint` describes the
        state *after* that page: land the page, then persist the checkpoint. A page that fails to
        parse is yielded with its `error` (land it flagged) and fetched again, up to
        `bad_page_retries` times; after that the parse error is raised.

        Raises:
            SourceError: the API kept failing (after the retry policy) or kept sending bodies
                that do not parse.
        """
        while (request := walk.next_request()) is not None:
            attempt = 0
            while True:
                raw = self.fetch_trades_page(product_id, after=request.after, limit=request.limit)
                try:
                    trades = parse_trades(raw.body, product_id)
                except BadResponseError as exc:
                    log.warning(
                        "coinbase trades %s after=%s: unparseable page (%s)",
                        product_id,
                        request.after,
                        exc,
                    )
                    yield TradesPage(product_id, request, raw, None, exc)
                    attempt += 1
                    if attempt > bad_page_retries:
                        raise
                    continue
                break
            walk.advance(PageIds.of([trade.trade_id for trade in trades], raw.header("cb-after")))
            log.info(
                "coinbase trades %s after=%s: %d trades (%s..%s), page %d, %.3fs%s",
                product_id,
                request.after,
                len(trades),
                trades[-1].trade_id if trades else "-",
                trades[0].trade_id if trades else "-",
                walk.pages,
                raw.elapsed_s,
                f", done: {walk.stopped}" if walk.stopped else "",
            )
            yield TradesPage(product_id, request, raw, tuple(trades), None)

    def probe_trade(
        self,
        product_id: str,
        trade_id: int | None,
        *,
        on_bad_page: BadPageHandler | None = None,
        bad_page_retries: int = 2,
    ) -> tuple[int, datetime] | None:
        """(id, time) of the newest trade with id <= `trade_id` (None: the newest trade).

        One request: `after=<trade_id + 1>&limit=1`. A response that does not parse is a
        trades page like a walk's: handed to `on_bad_page` (to land it flagged) and fetched
        again, up to `bad_page_retries` times; after that the parse error is raised.
        """
        after = None if trade_id is None else trade_id + 1
        for attempt in range(bad_page_retries + 1):
            raw = self.fetch_trades_page(product_id, after=after, limit=1)
            try:
                trades = parse_trades(raw.body, product_id)
                break
            except BadResponseError as exc:
                log.warning(
                    "coinbase trades %s probe after=%s: unparseable (%s)", product_id, after, exc
                )
                if on_bad_page is not None:
                    on_bad_page(TradesPage(product_id, TradesRequest(after, 1), raw, None, exc))
                if attempt == bad_page_retries:
                    raise
        if not trades:
            return None
        return trades[0].trade_id, trades[0].time

    def find_trade_id_at(
        self, product_id: str, at: datetime, *, on_bad_page: BadPageHandler | None = None
    ) -> IdSearchResult:
        """The first trade id of `product_id` at or after `at`, by probing ids (see idsearch);
        `on_bad_page` as in `probe_trade`."""
        result = first_trade_id_at(
            at, lambda trade_id: self.probe_trade(product_id, trade_id, on_bad_page=on_bad_page)
        )
        log.info(
            "coinbase trades %s: first trade at/after %s is id %s (%d probes)",
            product_id,
            at.isoformat(),
            result.trade_id,
            result.probes,
        )
        return result

    def plan_backfill(
        self,
        product_id: str,
        start_at: datetime,
        end_at: datetime | None = None,
        *,
        on_bad_page: BadPageHandler | None = None,
    ) -> TradesWalk:
        """A walk covering the trades with `start_at <= time < end_at` (end None: up to now).

        The walk goes down from the first trade at/after `end_at` (or the newest page) to the
        page holding the first trade at/after `start_at`; pages are not trimmed, so the edges may
        carry trades just outside the range. `on_bad_page` as in `probe_trade`.
        """
        if end_at is not None and end_at <= start_at:
            raise ConfigError(f"backfill range is empty: {start_at} .. {end_at}")
        first = self.find_trade_id_at(product_id, start_at, on_bad_page=on_bad_page)
        start_after = None
        if end_at is not None:
            start_after = self.find_trade_id_at(
                product_id, end_at, on_bad_page=on_bad_page
            ).trade_id
        stop_at = None if first.trade_id is None else first.trade_id - 1
        return TradesWalk(stop_at_id=stop_at, start_after=start_after, api=API)

    # -- candles ------------------------------------------------------------------------------

    def fetch_candles(
        self, product_id: str, start_at: datetime, end_at: datetime, granularity_s: int
    ) -> RawResponse:
        """GET candles for one window of at most 300 buckets (see `candle_windows`)."""
        if granularity_s not in GRANULARITIES:
            raise ConfigError(f"candle granularity {granularity_s}s is not one of {GRANULARITIES}")
        return self.client.get(
            f"/products/{_segment(product_id)}/candles",
            {
                "granularity": granularity_s,
                "start": _iso(start_at),
                "end": _iso(end_at),
            },
            endpoint=CANDLES,
        )

    def iter_candles(
        self, product_id: str, start_at: datetime, end_at: datetime, granularity_s: int
    ) -> Iterator[CandlesPage]:
        """Candles over `[start_at, end_at)`, one request per window of <= 300 buckets.

        Windows are independent: a window whose body does not parse is yielded with its
        `error` and the iteration goes on.
        """
        for window_start, window_end in candle_windows(start_at, end_at, granularity_s):
            raw = self.fetch_candles(product_id, window_start, window_end, granularity_s)
            candles: tuple[Candle, ...] | None = None
            error: BadResponseError | None = None
            try:
                candles = tuple(parse_candles(raw.body, product_id, granularity_s))
            except BadResponseError as exc:
                error = exc
            log.info(
                "coinbase candles %s %ss %s..%s: %s",
                product_id,
                granularity_s,
                _iso(window_start),
                _iso(window_end),
                f"{len(candles)} candles" if candles is not None else f"unparseable ({error})",
            )
            yield CandlesPage(
                product_id, window_start, window_end, granularity_s, raw, candles, error
            )

    def iter_windows(
        self,
        dataset: str,
        item: str,
        start_at: datetime,
        end_at: datetime,
        options: Mapping[str, str],
    ) -> Iterator[Fetched]:
        """Candles of product `item` as `WindowPager` (`options["granularity_s"]` seconds)."""
        if dataset != CANDLES_DATASET:
            raise ConfigError(f"coinbase has no windowed dataset {dataset!r}")
        granularity_s = int(options["granularity_s"])
        for page in self.iter_candles(item, start_at, end_at, granularity_s):
            yield Fetched(
                page.raw,
                None if page.candles is None else len(page.candles),
                None if page.error is None else str(page.error),
                folders={"product": item},
                start_at=page.start_at,
                end_at=page.end_at,
                product=item,
                extra={"granularity": str(granularity_s)},
            )

    # -- products -----------------------------------------------------------------------------

    def fetch_products(self) -> RawResponse:
        """GET /products (every product of the exchange)."""
        return self.client.get(PRODUCTS, endpoint=PRODUCTS)

    def fetch_product(self, product_id: str) -> RawResponse:
        """GET /products/{product_id}; an unknown product is a `BadResponseError` (404)."""
        return self.client.get(f"/products/{_segment(product_id)}", endpoint=PRODUCT)

    def check_products(self, product_ids: Sequence[str]) -> list[Product]:
        """Validate configured products against /products.

        Raises:
            ConfigError: a product is unknown or does not trade, naming it.
        """
        known = {
            product.product_id: product for product in parse_products(self.fetch_products().body)
        }
        chosen: list[Product] = []
        for product_id in product_ids:
            product = known.get(product_id)
            if product is None:
                raise ConfigError(
                    f"unknown Coinbase product {product_id!r}; check the `products` setting"
                )
            if product.trading_disabled or product.status != "online":
                raise ConfigError(
                    f"Coinbase product {product_id!r} is not trading (status {product.status!r})"
                )
            chosen.append(product)
        return chosen


def coinbase_limiter(settings: Settings, clock: Clock) -> TokenBucket:
    """The Coinbase public budget (`coinbase_requests_per_second`, `coinbase_burst`), less the
    headroom of `coinlake.sources.ratelimit`."""
    return TokenBucket(
        rate_per_s=settings.coinbase_requests_per_second * RATE_HEADROOM,
        burst=max(1, settings.coinbase_burst - BURST_HEADROOM),
        clock=clock,
        name=API,
    )


def candle_windows(
    start_at: datetime, end_at: datetime, granularity_s: int, per_request: int = MAX_CANDLES
) -> list[tuple[datetime, datetime]]:
    """Split `[start_at, end_at)` into request windows of at most `per_request` buckets.

    The start is floored to the granularity (buckets are aligned to it). Consecutive windows
    share their edge, so a candle at an edge may come twice; Silver de-duplicates it.
    """
    if granularity_s not in GRANULARITIES:
        raise ConfigError(f"candle granularity {granularity_s}s is not one of {GRANULARITIES}")
    if start_at.tzinfo is None or end_at.tzinfo is None:
        raise ValueError("candle windows need timezone-aware times")
    start_s = int(start_at.timestamp()) // granularity_s * granularity_s
    end_s = int(end_at.timestamp())
    span = per_request * granularity_s
    windows: list[tuple[datetime, datetime]] = []
    while start_s < end_s:
        stop_s = min(start_s + span, end_s)
        windows.append((_utc(start_s), _utc(stop_s)))
        start_s = stop_s
    return windows


def _utc(seconds: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _segment(product_id: str) -> str:
    return quote(product_id, safe="")
