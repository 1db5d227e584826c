"""CoinGecko API v3: the daily `/simple/price` snapshot and `/coins/{id}/market_chart/range`.

Keys (docs.coingecko.com, "Authentication"): a Demo key travels in the `x-cg-demo-api-key`
header to the public base URL; a Pro key in `x-cg-pro-api-key` to `pro-api.coingecko.com`. The
key is a `SecretStr` until the moment it is put on the wire and never appears in a URL, log,
repr, error or landed request (see `redact.py`).
"""

from __future__ import annotations

import itertools
import logging
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from coinlake.config import COINGECKO_PRO_URL, COINGECKO_PUBLIC_URL
from coinlake.domain.clock import Clock, SystemClock
from coinlake.domain.records import MarketChartPoint
from coinlake.errors import BadResponseError, ConfigError
from coinlake.sources.coingecko.parse import parse_market_chart, parse_simple_price
from coinlake.sources.http import ApiClient, RawResponse
from coinlake.sources.paging import Fetched
from coinlake.sources.ratelimit import TokenBucket
from coinlake.sources.retry import RetryPolicy

if TYPE_CHECKING:
    import httpx
    from pydantic import SecretStr

    from coinlake.config import Settings

__all__ = [
    "CoinGeckoSource",
    "MarketChartPage",
    "market_chart_windows",
    "parse_market_chart",
    "parse_simple_price",
]

log = logging.getLogger(__name__)

API = "coingecko"
SIMPLE_PRICE_DATASET = "simple_price"
MARKET_CHART_DATASET = "market_chart_range"
SIMPLE_PRICE = "/simple/price"
MARKET_CHART_RANGE = "/coins/{id}/market_chart/range"
KEY_HEADERS = {"demo": "x-cg-demo-api-key", "pro": "x-cg-pro-api-key"}
# CoinGecko's automatic granularity for market_chart/range (docs.coingecko.com, "Coin Historical
# Chart Data within Time Range by ID", and the 2025-01-09 changelog): 1 day from now gives
# 5-minutely points, 1 day elsewhere and 2-90 days hourly points, above 90 days daily points at
# 00:00 UTC. Explicit `interval=hourly` is Enterprise-only. So history is asked in chunks of at
# most 90 days to get hourly points, cut into equal parts (not 90 + a short tail) so no chunk is
# short enough to fall to 5-minute points unless the whole range is.
MAX_HOURLY_SPAN = timedelta(days=90)
# Keyless and Demo requests reaching more than 365 days back fail with error 10012.
FREE_HISTORY = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class MarketChartPage:
    """One market_chart/range request: land `raw`; `points` is None if parsing failed."""

    coin_id: str
    """CoinGecko coin id."""
    vs_currency: str
    """Quote currency."""
    start_at: datetime
    """Chunk start (requested)."""
    end_at: datetime
    """Chunk end (requested)."""
    raw: RawResponse
    """The response as received."""
    points: tuple[MarketChartPoint, ...] | None
    """Parsed points, None when `error` is set."""
    error: BadResponseError | None
    """Why the body could not be parsed."""


class CoinGeckoSource:
    """The CoinGecko endpoints coinlake uses, on one shared `ApiClient`."""

    def __init__(
        self,
        client: ApiClient,
        *,
        key_tier: Literal["demo", "pro"] | None,
        clock: Clock,
        coins: Sequence[str] = (),
        vs_currencies: Sequence[str] = (),
    ) -> None:
        self.client = client
        self.key_tier = key_tier
        self.clock = clock
        self.coins = tuple(coins)
        """The coins a snapshot asks for (`settings.coins`)."""
        self.vs_currencies = tuple(vs_currencies)
        """The currencies a snapshot asks for (`settings.vs_currencies`)."""

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        api_key: SecretStr | None = None,
        clock: Clock | None = None,
        limiter: TokenBucket | None = None,
        transport: httpx.BaseTransport | None = None,
        jitter: random.Random | None = None,
    ) -> CoinGeckoSource:
        """Build the source from settings.

        Args:
            settings: the run's settings (`coingecko_url`, `coingecko_key_tier`, limits).
            api_key: the key when the entry point resolved it elsewhere (Secrets Manager/SSM);
                defaults to `settings.coingecko_api_key`.
            clock: defaults to the system clock.
            limiter: share one bucket; built from `coingecko_calls_per_minute` when None.
            transport: an httpx transport (tests).
            jitter: random source for the retry jitter.
        """
        clock = clock or SystemClock()
        key = api_key if api_key is not None else settings.coingecko_api_key
        tier = settings.coingecko_key_tier if key is not None else None
        base_url = settings.coingecko_url
        if tier == "pro" and base_url == COINGECKO_PUBLIC_URL:
            base_url = COINGECKO_PRO_URL  # Pro keys are rejected by the public host (10010)
        rng = jitter or random.Random()  # noqa: S311 - jitter, not cryptography
        client = ApiClient(
            API,
            base_url,
            timeout_s=settings.http_timeout_s,
            clock=clock,
            retry=RetryPolicy.from_settings(settings, clock, random=rng.random),
            limiter=limiter or coingecko_limiter(settings, clock),
            secret_headers={KEY_HEADERS[tier]: key} if tier is not None and key else None,
            transport=transport,
        )
        return cls(
            client,
            key_tier=tier,
            clock=clock,
            coins=settings.coins,
            vs_currencies=settings.vs_currencies,
        )

    def __repr__(self) -> str:
        return f"CoinGeckoSource(base_url={self.client.base_url!r}, key_tier={self.key_tier!r})"

    def __enter__(self) -> CoinGeckoSource:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def fetch_simple_price(self, coins: Sequence[str], vs_currencies: Sequence[str]) -> RawResponse:
        """GET /simple/price for every coin x currency with market cap, 24h volume and change
        and the last-updated time, at full precision. Parse with `parse_simple_price`."""
        if not coins or not vs_currencies:
            raise ConfigError("name at least one CoinGecko coin and one vs_currency")
        raw = self.client.get(
            SIMPLE_PRICE,
            {
                "ids": ",".join(coins),
                "vs_currencies": ",".join(vs_currencies),
                "include_market_cap": "true",
                "include_24hr_vol": "true",
                "include_24hr_change": "true",
                "include_last_updated_at": "true",
                "precision": "full",
            },
            endpoint=SIMPLE_PRICE,
        )
        log.info(
            "coingecko simple/price %d coins x %d currencies: %d bytes, %.3fs",
            len(coins),
            len(vs_currencies),
            len(raw.body),
            raw.elapsed_s,
        )
        return raw

    def fetch_snapshot(self, dataset: str) -> Fetched:
        """The `simple_price` snapshot of the configured coins and currencies (`SnapshotPager`);
        `records` counts its coin x currency quotes."""
        if dataset != SIMPLE_PRICE_DATASET:
            raise ConfigError(f"coingecko has no snapshot dataset {dataset!r}")
        raw = self.fetch_simple_price(self.coins, self.vs_currencies)
        try:
            quotes = len(parse_simple_price(raw.body, vs_currencies=self.vs_currencies))
        except BadResponseError as exc:
            return Fetched(raw, None, str(exc))
        return Fetched(raw, quotes)

    def iter_windows(
        self,
        dataset: str,
        item: str,
        start_at: datetime,
        end_at: datetime,
        options: Mapping[str, str],
    ) -> Iterator[Fetched]:
        """`market_chart_range` history of `item` (`<coin>/<currency>`) as `WindowPager`."""
        if dataset != MARKET_CHART_DATASET:
            raise ConfigError(f"coingecko has no windowed dataset {dataset!r}")
        coin_id, _, vs_currency = item.partition("/")
        for page in self.iter_market_chart_range(coin_id, vs_currency, start_at, end_at):
            yield Fetched(
                page.raw,
                None if page.points is None else len(page.points),
                None if page.error is None else str(page.error),
                folders={"coin": coin_id, "vs_currency": vs_currency},
                start_at=page.start_at,
                end_at=page.end_at,
                product=coin_id,
                extra={"vs_currency": vs_currency},
            )

    def fetch_market_chart_range(
        self, coin_id: str, vs_currency: str, start_at: datetime, end_at: datetime
    ) -> RawResponse:
        """GET /coins/{id}/market_chart/range for one chunk (`from`/`to` in unix seconds)."""
        return self.client.get(
            f"/coins/{quote(coin_id, safe='')}/market_chart/range",
            {
                "vs_currency": vs_currency,
                "from": int(start_at.timestamp()),
                "to": int(end_at.timestamp()),
            },
            endpoint=MARKET_CHART_RANGE,
        )

    def iter_market_chart_range(
        self, coin_id: str, vs_currency: str, start_at: datetime, end_at: datetime
    ) -> Iterator[MarketChartPage]:
        """History over `[start_at, end_at]` in chunks that keep hourly points.

        Chunks are independent: one whose body does not parse is yielded with its `error`.

        Raises:
            ConfigError: keyless/Demo access asked for more than 365 days back.
        """
        if self.key_tier != "pro" and start_at < self.clock.now() - FREE_HISTORY:
            raise ConfigError(
                f"CoinGecko history before {(self.clock.now() - FREE_HISTORY).date()} needs a "
                "Pro key (keyless and Demo access reach 365 days back); start later"
            )
        for chunk_start, chunk_end in market_chart_windows(start_at, end_at):
            raw = self.fetch_market_chart_range(coin_id, vs_currency, chunk_start, chunk_end)
            points: tuple[MarketChartPoint, ...] | None = None
            error: BadResponseError | None = None
            try:
                points = tuple(parse_market_chart(raw.body, coin_id, vs_currency))
            except BadResponseError as exc:
                error = exc
            log.info(
                "coingecko market_chart/range %s/%s %s..%s: %s",
                coin_id,
                vs_currency,
                chunk_start.isoformat(),
                chunk_end.isoformat(),
                f"{len(points)} points" if points is not None else f"unparseable ({error})",
            )
            yield MarketChartPage(coin_id, vs_currency, chunk_start, chunk_end, raw, points, error)


def coingecko_limiter(settings: Settings, clock: Clock) -> TokenBucket:
    """The CoinGecko budget: `coingecko_calls_per_minute`, no burst.

    CoinGecko counts calls per minute; a bucket of one token never sends more than
    `1 + calls_per_minute` calls in any 60-second window, so it stays at the stated rate.
    """
    return TokenBucket(
        rate_per_s=settings.coingecko_calls_per_minute / 60.0, burst=1, clock=clock, name=API
    )


def market_chart_windows(
    start_at: datetime, end_at: datetime, max_span: timedelta = MAX_HOURLY_SPAN
) -> list[tuple[datetime, datetime]]:
    """Cut `[start_at, end_at]` into the fewest equal chunks of at most `max_span`.

    Bounds are whole seconds (the API takes unix seconds); consecutive chunks share an edge.
    """
    if start_at.tzinfo is None or end_at.tzinfo is None:
        raise ValueError("chart windows need timezone-aware times")
    start_s = math.floor(start_at.timestamp())
    end_s = math.ceil(end_at.timestamp())
    if end_s <= start_s:
        raise ConfigError(f"history range is empty: {start_at} .. {end_at}")
    span_s = int(max_span.total_seconds())
    parts = max(1, math.ceil((end_s - start_s) / span_s))
    edges = [start_s + (end_s - start_s) * index // parts for index in range(parts + 1)]
    return [(_utc(a), _utc(b)) for a, b in itertools.pairwise(edges)]


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
