"""Ingestion efficiency: a Coinbase trades backfill against the sandbox with its limit enforced.

`python -m bench.ingest_bench --products N --pages P` starts the API sandbox (Coinbase's public
limit: 10 requests/s, bursts to 15, per IP), backfills about P pages of trades spread over the
first N products with `coinlake.ingest.run_backfill`, and prints one JSON line:
requests the sandbox answered, how many it refused with 429, the rate as a fraction of the
limit, and gaps (trade ids missing between the lowest and highest id landed, per product; the
sandbox tape has none). The rate counts every request the sandbox let through during the
backfill (id search included) against what the documented limit allows in that time: a full
burst of 15 and then 10 a second, 15 + 10 x seconds. So 1.0 is the most any client can reach
and a figure above it means the counting is wrong (the part then fails).
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
BURST = 15
"""Coinbase's documented burst: 15 requests at once, then `coinbase_requests_per_second`."""
GOAL_RATE = ">= 0.95"


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
    from coinlake.app.lake import open_lake
    from coinlake.config import Settings
    from coinlake.ingest.run import Sources, run_backfill
    from coinlake.sandbox.catalog import CATALOG
    from coinlake.sandbox.options import SandboxOptions
    from coinlake.sandbox.server import SandboxServer

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
        store = open_lake(settings)
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
    allowed = BURST + options.coinbase_requests_per_second * seconds
    return {
        "seconds": seconds,
        "products": products,
        "requests": requests,
        "responses_429": counter.refused,
        "requests_per_s": requests / seconds,
        "allowed_requests": allowed,
        "limit_fraction": counter.accepted / allowed,
        "trades": landed,
        "gaps": gaps,
        "status": summary.status,
    }


def records(pages: int) -> list[Any]:
    """Backfills of 1, 3 and 10 products, each in its own process; the bench's records."""
    from bench import procs
    from bench.report import log, record

    out = []
    for products in (1, 3, 10):
        log(f"ingestion backfill, {products} products")
        name = f"ingest {products} product{'s' if products > 1 else ''}"
        args = ["bench.ingest_bench", "--products", str(products), "--pages", str(pages)]
        r = procs.measure(args, timeout_s=900).result
        if not 0 < r["limit_fraction"] <= 1.0 or r["trades"] <= 0:
            raise RuntimeError(f"{name}: impossible figures {r}")
        note = (
            f"{r['requests']} requests in {r['seconds']:.1f} s, allowed {BURST} + 10/s x "
            f"{r['seconds']:.1f} s = {r['allowed_requests']:.0f}; {r['trades']:,} trades, "
            f"run {r['status']}"
        )
        out.append(
            record(f"{name}: rate / limit", r["limit_fraction"], "fraction", GOAL_RATE, note)
        )
        out.append(record(f"{name}: 429 responses", r["responses_429"], "count", "== 0"))
        out.append(record(f"{name}: gaps", r["gaps"], "trade ids", "== 0"))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.products, args.pages)))


if __name__ == "__main__":
    main()
