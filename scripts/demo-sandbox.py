"""Serve the API sandbox of a demo lake (same seed, origin and market time) until Ctrl-C.

    python scripts/demo-sandbox.py ./lake        # prints the Coinbase and CoinGecko base URLs

`coinlake demo` runs its sandbox in-process and stops it at the end; commands run later against
the same lake (`coinlake backfill --repair-gaps`, `coinlake ingest`) need the same market, which
this serves: `COINLAKE_COINBASE_URL=<printed url> coinlake --lake ./lake backfill --repair-gaps`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from coinlake.cli.demo import DEMO_STATE
from coinlake.domain.envelope import parse_timestamp
from coinlake.sandbox import SandboxOptions, SandboxServer


def main(lake: str) -> None:
    """Serve the market the demo lake at `lake` was built from."""
    state = json.loads((Path(lake) / DEMO_STATE).read_text(encoding="utf-8"))
    options = SandboxOptions(
        seed=7,
        clock="frozen",
        start=parse_timestamp(state["origin"]),
        history_days=2.0,
        trades_per_minute=60.0,
        rate_limits=True,
    ).validate()
    with SandboxServer(options) as sandbox:
        sandbox.clock.set(parse_timestamp(state["now"]))
        print(f"coinbase {sandbox.coinbase_url}", flush=True)
        print(f"coingecko {sandbox.coingecko_url}", flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "./lake")
