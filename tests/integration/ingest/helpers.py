"""Helpers for the ingestion tests: settings on a sandbox, reading trades back from Bronze."""

from __future__ import annotations

from collections import Counter
from typing import Any

from coinlake.bronze.keys import parse_bronze_key
from coinlake.config import Settings
from coinlake.domain.envelope import split_envelope
from coinlake.ingest.run import RunOptions, RunSummary, Sources, run_backfill, run_ingest
from coinlake.sources.coinbase.keys import trades_prefix
from coinlake.sources.coinbase.parse import parse_trades
from coinlake.storage.base import ObjectStore


def sandbox_settings(sb: Any, lake: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "lake": lake,
        "coinbase_url": sb.coinbase_url,
        "coingecko_url": sb.coingecko_url,
        "products": ",".join(sb.market.products),
        "http_timeout_s": 2.0,
        "retry_attempts": 5,
    }
    values.update(overrides)
    return Settings(**values)


def ingest(sb: Any, store: ObjectStore, settings: Settings, **kwargs: Any) -> RunSummary:
    """`run_ingest` on the sandbox's clock (limiter waits move the market, not the wall)."""
    options = kwargs.pop("options", None) or RunOptions()
    with Sources(settings, clock=sb.clock) as sources:
        return run_ingest(store, sources, options=options, **kwargs)


def backfill(sb: Any, store: ObjectStore, settings: Settings, **kwargs: Any) -> RunSummary:
    options = kwargs.pop("options", None) or RunOptions(command="backfill")
    kwargs.setdefault("source", "coinbase")
    with Sources(settings, clock=sb.clock) as sources:
        return run_backfill(store, sources, options=options, **kwargs)


def trade_keys(store: ObjectStore, product: str) -> list[str]:
    return sorted(store.list(trades_prefix(product)))


def bronze_trade_ids(store: ObjectStore, product: str) -> Counter[int]:
    """In how many of the product's parsable Bronze pages each trade id appears (a page the
    exchange sent with a row twice still holds that id once)."""
    seen: Counter[int] = Counter()
    for key in trade_keys(store, product):
        if parse_bronze_key(key).unparsed:
            continue
        envelope = split_envelope(store.get(key))
        seen.update({trade.trade_id for trade in parse_trades(envelope.body, product)})
    return seen


def item(summary: RunSummary, name: str, dataset: str = "trades") -> Any:
    return next(i for i in summary.items if i.name == name and i.dataset == dataset)
