"""Runs: every configured product and dataset, each independent, with a run record.

`run_ingest` is the scheduled job (CLI `coinlake ingest`, the Lambda handler); `run_backfill`
fills a past range. One item's failure (an API that keeps failing, a page that never parses) is
recorded in its `ItemSummary` and the others go on; the caller decides the exit code from
`RunSummary.failed`. The run record (`_state/runs/<date>/<run_id>.json`) is written when the run
starts and again when it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Literal

from pydantic import SecretStr

from coinlake.bronze.lease import DEFAULT_TTL
from coinlake.bronze.state import RunRecord, new_run_id, write_run_record
from coinlake.config import Settings
from coinlake.domain.clock import Clock, SystemClock
from coinlake.errors import CoinlakeError, ConfigError
from coinlake.ingest.candles import ingest_candles
from coinlake.ingest.coingecko import ingest_market_chart_history, ingest_simple_price
from coinlake.ingest.summary import ItemSummary, NoProgress, Progress, RunSummary
from coinlake.ingest.trades import Since, TradesRun, backfill_trades, ingest_trades
from coinlake.sources.coinbase.client import CoinbaseSource
from coinlake.sources.coingecko.client import CoinGeckoSource
from coinlake.storage.base import ObjectStore

log = logging.getLogger(__name__)

SourceChoice = Literal["all", "coinbase", "coingecko"]
Job = tuple[ItemSummary, Callable[..., ItemSummary]]
"""One item of a run: its empty summary and the work that fills it (`work(summary=...)`)."""
INTERRUPTED = "interrupted (Ctrl-C); run the same command again to continue"


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; `summary` holds what it did (its run record is written, the
    interrupted product's lease released and its last checkpoint kept)."""

    def __init__(self, summary: RunSummary) -> None:
        super().__init__(INTERRUPTED)
        self.summary = summary


@dataclass
class Sources:
    """The API sources of one run, built on first use (one rate limiter per API)."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    coingecko_api_key: SecretStr | None = None
    _coinbase: CoinbaseSource | None = None
    _coingecko: CoinGeckoSource | None = None

    @classmethod
    def for_settings(cls, settings: Settings, clock: Clock | None = None) -> Sources:
        """The sources an entry point uses: the CoinGecko key read from SSM or Secrets Manager
        when `coingecko_api_key_parameter` names one (and no key is set directly).

        Raises:
            ConfigError: the parameter or secret cannot be read.
        """
        key = None
        if settings.coingecko_api_key_parameter and settings.coingecko_api_key is None:
            from coinlake.aws.secrets import coingecko_api_key

            key = coingecko_api_key(settings)
        return cls(settings, clock=clock or SystemClock(), coingecko_api_key=key)

    @property
    def coinbase(self) -> CoinbaseSource:
        """The Coinbase Exchange source."""
        if self._coinbase is None:
            self._coinbase = CoinbaseSource.from_settings(self.settings, clock=self.clock)
        return self._coinbase

    @property
    def coingecko(self) -> CoinGeckoSource:
        """The CoinGecko source (with the key, when there is one)."""
        if self._coingecko is None:
            self._coingecko = CoinGeckoSource.from_settings(
                self.settings, api_key=self.coingecko_api_key, clock=self.clock
            )
        return self._coingecko

    def close(self) -> None:
        """Close whatever was opened."""
        for source in (self._coinbase, self._coingecko):
            if source is not None:
                source.close()

    def __enter__(self) -> Sources:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How a run behaves beyond the settings."""

    progress: Progress = field(default_factory=NoProgress)
    lease_ttl: timedelta = DEFAULT_TTL
    max_pages: int | None = None
    """Page budget per product (incremental walks resume next run)."""
    run_id: str | None = None
    command: str = "ingest"


def run_ingest(
    store: ObjectStore,
    sources: Sources,
    *,
    source: SourceChoice = "all",
    products: Sequence[str] | None = None,
    since: Since | None = None,
    options: RunOptions | None = None,
) -> RunSummary:
    """CoinGecko snapshot and/or incremental Coinbase trades for every product.

    Args:
        store: the lake.
        sources: the API sources.
        source: which API(s).
        products: Coinbase products (default: `settings.products`).
        since: where a product without a cursor starts (time or trade id); default its newest
            page.
        options: progress, lease TTL, page budget, run id and command name.
    """
    options = options or RunOptions()
    settings = sources.settings
    summary, record = _start(store, sources.clock, options)
    jobs: list[Job] = []
    if source in ("all", "coingecko"):
        work = partial(
            ingest_simple_price, store, sources.coingecko, settings.coins, settings.vs_currencies
        )
        jobs.append((ItemSummary("simple_price", "coingecko", "simple_price"), work))
    if source in ("all", "coinbase"):
        run = _trades_run(store, sources, summary.run_id, options)
        for product in products or settings.products:
            work = partial(ingest_trades, run, product, since)
            jobs.append((ItemSummary(product, "coinbase", "trades"), work))
    return _run_jobs(store, sources.clock, summary, record, jobs)


def run_backfill(
    store: ObjectStore,
    sources: Sources,
    *,
    start_at: datetime,
    end_at: datetime | None = None,
    source: SourceChoice = "coinbase",
    products: Sequence[str] | None = None,
    trades: bool = True,
    candles_granularity_s: int | None = None,
    restart: bool = False,
    options: RunOptions | None = None,
) -> RunSummary:
    """Fill `[start_at, end_at)` (end None or not past yet: up to now): Coinbase trades (id
    search, resumable) and optionally candles per product; CoinGecko market_chart/range per coin
    and currency.

    Raises:
        ConfigError: the range is empty or in the future.
    """
    options = options or RunOptions(command="backfill")
    now = sources.clock.now()
    if end_at is not None and end_at >= now:
        # An end still to come (`--to` today) is "up to now": the backfill then hands over to
        # `ingest` (it sets the cursor) instead of being done while its range still grows.
        log.info("backfill end %s is not past yet: backfilling up to now", end_at)
        end_at = None
    if start_at >= (end_at or now):
        raise ConfigError(f"backfill range is empty: from {start_at} to {end_at or 'now'}")
    settings = sources.settings
    summary, record = _start(store, sources.clock, options)
    jobs: list[Job] = []
    if source in ("all", "coinbase"):
        run = _trades_run(store, sources, summary.run_id, options)
        for product in products or settings.products:
            if trades:
                work = partial(backfill_trades, run, product, start_at, end_at, restart=restart)
                jobs.append((ItemSummary(product, "coinbase", "trades"), work))
            if candles_granularity_s is not None:
                work = partial(
                    ingest_candles, store, sources.coinbase, product, start_at, end_at or now,
                    candles_granularity_s, options.progress,
                )  # fmt: skip
                jobs.append((ItemSummary(product, "coinbase", "candles"), work))
    if source in ("all", "coingecko"):
        for coin in settings.coins:
            for currency in settings.vs_currencies:
                work = partial(
                    ingest_market_chart_history, store, sources.coingecko, coin, currency,
                    start_at, end_at or now, options.progress,
                )  # fmt: skip
                name = f"{coin}/{currency}"
                jobs.append((ItemSummary(name, "coingecko", "market_chart_range"), work))
    return _run_jobs(store, sources.clock, summary, record, jobs)


def _trades_run(
    store: ObjectStore, sources: Sources, run_id: str, options: RunOptions
) -> TradesRun:
    return TradesRun(
        store=store,
        source=sources.coinbase,
        clock=sources.clock,
        run_id=run_id,
        progress=options.progress,
        lease_ttl=options.lease_ttl,
        max_pages=options.max_pages,
    )


def _start(store: ObjectStore, clock: Clock, options: RunOptions) -> tuple[RunSummary, RunRecord]:
    started = clock.now()
    run_id = options.run_id or new_run_id(started)
    summary = RunSummary(run_id, options.command, started)
    record = RunRecord(run_id, options.command, started)
    summary.record_key = write_run_record(store, record)
    log.info("%s run %s started", options.command, run_id, extra={"run_id": run_id})
    return summary, record


def _finish(store: ObjectStore, clock: Clock, summary: RunSummary, record: RunRecord) -> RunSummary:
    summary.finished_at = clock.now()
    final = RunRecord(
        record.run_id,
        record.command,
        record.started_at,
        status=summary.status,
        finished_at=summary.finished_at,
        summary=summary.to_json(),
    )
    try:
        write_run_record(store, final)
    except CoinlakeError as exc:  # the data and cursors are in place; only the record is missing
        log.error("could not write the run record of %s: %s", summary.run_id, exc)
    log.info(
        "%s run %s finished: %s, %d objects written, %d trades",
        summary.command,
        summary.run_id,
        summary.status,
        sum(item.objects_written for item in summary.items),
        sum(item.trades for item in summary.items if item.dataset == "trades"),
        extra={"run_id": summary.run_id},
    )
    return summary


def _run_jobs(
    store: ObjectStore, clock: Clock, summary: RunSummary, record: RunRecord, jobs: list[Job]
) -> RunSummary:
    """Every job in turn, then the final run record; also after Ctrl-C (`RunInterrupted`)."""
    try:
        for empty, work in jobs:
            _guarded(summary, empty, work)
    except KeyboardInterrupt as exc:
        _finish(store, clock, summary, record)
        raise RunInterrupted(summary) from exc
    return _finish(store, clock, summary, record)


def _guarded(summary: RunSummary, empty: ItemSummary, work: Callable[..., ItemSummary]) -> None:
    """Run one item, counting into `empty`; a failure is recorded on it and the run goes on."""
    context = {"source": empty.source, "dataset": empty.dataset, "product": empty.name}
    try:
        item = work(summary=empty)
    except KeyboardInterrupt:
        log.info("%s %s %s interrupted", empty.source, empty.dataset, empty.name, extra=context)
        summary.items.append(_failed(empty, INTERRUPTED))
        raise
    except CoinlakeError as exc:
        log.error(
            "%s %s %s failed: %s", empty.source, empty.dataset, empty.name, exc, extra=context
        )
        item = _failed(empty, str(exc))
    except Exception as exc:  # one product's bug must not stop the others; logged in full
        log.exception("%s %s %s failed", empty.source, empty.dataset, empty.name, extra=context)
        item = _failed(empty, f"unexpected {type(exc).__name__}: {exc}")
    summary.items.append(item)


def _failed(empty: ItemSummary, error: str) -> ItemSummary:
    empty.status = "failed"
    empty.error = error
    return empty
