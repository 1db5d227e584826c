"""Backfill throughput against the sandbox's enforced Coinbase limit, and the 429s it drew.

Starts the sandbox on a real clock with the documented limit enforced (10 requests/s per IP,
bursts to 15), backfills one product with the real client (its own token bucket set from the
same documented figures) into a temporary local lake, and counts every request the server let
through or refused with 429. Throughput is requests per second over the backfill's wall time,
as a fraction of the 10/s limit; the "budget" fraction also credits the 15-request burst
(the most any client could send in that time is 15 + 10 x seconds).

Usage: python bench/ingest_throughput.py [--hours 20] [--trades-per-minute 240] [--product BTC-USD]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from datetime import timedelta

from coinlake.config import Settings
from coinlake.ingest.run import RunOptions, Sources, run_backfill
from coinlake.sandbox import SandboxOptions, SandboxServer
from coinlake.storage.factory import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=20.0, help="backfill range, hours back")
    parser.add_argument("--trades-per-minute", type=float, default=240.0)
    parser.add_argument("--product", default="BTC-USD")
    args = parser.parse_args()
    options = SandboxOptions(
        clock="real",
        history_days=1.0,
        trades_per_minute=args.trades_per_minute,
        products=(args.product,),
        rate_limits=True,
    )
    with SandboxServer(options) as sandbox, tempfile.TemporaryDirectory() as lake:
        counts = {"ok": 0, "429": 0}
        lock = threading.Lock()
        limiter = sandbox.coinbase_limiter
        original = limiter.try_acquire

        def counted(key: str) -> bool:
            allowed = original(key)
            with lock:
                counts["ok" if allowed else "429"] += 1
            return allowed

        limiter.try_acquire = counted  # type: ignore[method-assign]
        settings = Settings(
            lake=lake,
            coinbase_url=sandbox.coinbase_url,
            coingecko_url=sandbox.coingecko_url,
            products=args.product,
        )
        store = open_store(settings)
        start_at = sandbox.clock.now() - timedelta(hours=args.hours)
        sandbox.reset_limits()
        started = time.perf_counter()
        with Sources(settings) as sources:
            summary = run_backfill(
                store,
                sources,
                start_at=start_at,
                source="coinbase",
                options=RunOptions(command="bench"),
            )
        seconds = time.perf_counter() - started
    (item,) = summary.items
    requests = counts["ok"] + counts["429"]
    rate = counts["ok"] / seconds
    print(f"backfill {args.product}: {item.trades:,} trades in {item.pages} pages, {seconds:.2f} s")
    print(f"requests served {counts['ok']}, 429s {counts['429']} (of {requests} sent)")
    print(f"throughput {rate:.2f} req/s = {rate / 10:.1%} of the 10 req/s limit")
    print(f"budget use {counts['ok'] / (15 + 10 * seconds):.1%} of 15 + 10/s x {seconds:.1f} s")
    print(f"trades/s {item.trades / seconds:,.0f}; status {item.status}")


if __name__ == "__main__":
    main()
