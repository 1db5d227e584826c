"""Ingestion efficiency: a Coinbase trades backfill against the sandbox with its limit enforced.

`python -m bench.ingest_bench --products N --pages P` starts the API sandbox (Coinbase's public
limit: 10 requests/s, bursts to 15, per IP), backfills about P pages of trades spread over the
first N products with `coinlake.ingest.run_backfill`, and prints one JSON line:
requests the sandbox answered, how many it refused with 429, the rate as a fraction of the
limit, and gaps (trade ids missing between the lowest and highest id landed, per product; the
sandbox tape has none). The rate counts every request of the backfill (id search included).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

TRADES_PER_MINUTE = 2000.0


class _CountingBucket:
    """Wraps the sandbox's Coinbase limiter: counts accepted and refused requests."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.accepted = 0
        self.refused = 0
        self._lock = threading.Lock()

    def try_acquire(self, key: str) -> bool:
        ok = bool(self.inner.try_acquire(key))
        with self._lock:
            if ok:
                self.accepted += 1
            else:
                self.refused += 1
        return ok

    def reset(self) -> None:
        self.inner.reset()


def _gaps(lake: Path, products: list[str]) -> tuple[int, int]:
    """(missing ids inside the landed range summed over products, distinct trades landed)."""
    from coinlake.domain.envelope import split_envelope

    missing = landed = 0
    for product in products:
        ids: set[int] = set()
        folder = lake / "bronze/source=coinbase/dataset=trades" / f"product={product}"
        for path in folder.rglob("*.json"):
            envelope = split_envelope(path.read_bytes())
            if envelope.parse_error:
                continue
            ids.update(int(row["trade_id"]) for row in json.loads(envelope.body))
        if ids:
            missing += max(ids) - min(ids) + 1 - len(ids)
            landed += len(ids)
    return missing, landed


def run(products: int, pages: int) -> dict[str, Any]:
    """Backfill ~`pages` pages over `products` products; the counts as a dict."""
    from coinlake.config import Settings
    from coinlake.ingest.run import Sources, run_backfill
    from coinlake.sandbox.catalog import CATALOG
    from coinlake.sandbox.options import SandboxOptions
    from coinlake.sandbox.server import SandboxServer
    from coinlake.storage.factory import open_store

    names = list(CATALOG)[:products]
    minutes = max(1.0, pages / products * 1000 / TRADES_PER_MINUTE)
    options = SandboxOptions(
        products=tuple(names),
        history_days=max(0.05, (minutes + 30) / 1440),
        trades_per_minute=TRADES_PER_MINUTE,
        rate_limits=True,
    )
    server = SandboxServer(options)
    counter = _CountingBucket(server.coinbase_limiter)
    server.coinbase_limiter = counter  # type: ignore[assignment]
    with server, tempfile.TemporaryDirectory(prefix="coinlake-ingest-bench-") as tmp:
        settings = Settings(lake=tmp, coinbase_url=server.coinbase_url, products=tuple(names))
        store = open_store(settings)
        with Sources(settings) as sources:
            now = sources.clock.now()
            counter.accepted = counter.refused = 0
            started = time.perf_counter()
            summary = run_backfill(
                store,
                sources,
                start_at=now - timedelta(minutes=minutes),
                end_at=now,
                source="coinbase",
                products=names,
            )
            seconds = time.perf_counter() - started
        gaps, landed = _gaps(Path(tmp), names)
    requests = counter.accepted + counter.refused
    limit = options.coinbase_requests_per_second
    return {
        "seconds": seconds,
        "products": products,
        "requests": requests,
        "responses_429": counter.refused,
        "requests_per_s": requests / seconds,
        "limit_fraction": requests / seconds / limit,
        "trades": landed,
        "gaps": gaps,
        "status": summary.status,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.products, args.pages)))


if __name__ == "__main__":
    main()
