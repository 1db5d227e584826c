"""Bronze lakes for the benchmark: generated once per size, cloned cheaply for each run.

A size's Bronze is written by `coinlake.devtools.bronze_pages` (deterministic: 5 products,
10 days, ~2% re-fetched pages, 1% late pages, a few bad rows and one unparsable response per
product) under `<work>/bronze-<N>/`. Each measured run gets a fresh lake folder whose `bronze/`
is a hard-linked copy of that tree: nothing is copied, and a page landed in one lake (the
incremental case) is not seen by the others.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coinlake.devtools.bronze_pages import PageSpec, write_new_page, write_trade_pages

PRODUCTS = ("BTC-USD", "ETH-USD", "SOL-USD", "ADA-USD", "DOGE-USD")
START = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 10.0


def spec(trades: int) -> PageSpec:
    """The benchmark's Bronze for `trades` distinct trades."""
    return PageSpec(
        trades=trades,
        products=PRODUCTS,
        start=START,
        days=DAYS,
        bad_row_rate=0.0001,
        unparsable_pages=1,
        seed=11,
    )


def bronze(work: Path, trades: int) -> tuple[Path, dict[str, int]]:
    """Generate (once) the Bronze of `trades` trades; return its lake folder and counts."""
    root = work / f"bronze-{trades}"
    done = root / "_summary.json"
    if done.exists():
        return root, json.loads(done.read_text())
    shutil.rmtree(root, ignore_errors=True)
    summary = write_trade_pages(root, spec(trades))
    counts = {
        "objects": summary.objects,
        "rows": summary.rows,
        "duplicate_rows": summary.duplicate_rows,
        "bad_rows": summary.bad_rows,
        "unparsable_objects": summary.unparsable_objects,
        "bytes": sum(p.stat().st_size for p in (root / "bronze").rglob("*.json")),
    }
    done.write_text(json.dumps(counts))
    return root, counts


def clone(source: Path, target: Path) -> Path:
    """A fresh lake at `target` whose Bronze is a hard-linked copy of `source`'s."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for folder, _dirs, files in os.walk(source / "bronze"):
        rel = Path(folder).relative_to(source)
        (target / rel).mkdir(exist_ok=True)
        for name in files:
            os.link(Path(folder, name), target / rel / name)
    return target


def warm(lake: Path) -> None:
    """Read every Bronze object of `lake` once, so each measured run starts with its input in
    the page cache: a run right after the pandas baseline (~10 GB at 10M) otherwise reads it
    back from disk, and its engine pays for the order of the rounds (measured: 28.7 s against
    14-15 s for the same DuckDB run)."""
    for path in (lake / "bronze").rglob("*.json"):
        with path.open("rb") as handle:
            while handle.read(1 << 20):
                pass


PAGE_SIZE = 1000
"""Trades in each page the incremental cases land."""


def land_new_page(lake: Path, number: int, product: str = PRODUCTS[0]) -> str:
    """Land one new Coinbase page (ids above every generated one, trades after the data, so in
    a new day partition) the way the ingester does; return its key."""
    first = 900_000_000 + number * PAGE_SIZE
    at = START + timedelta(days=DAYS, minutes=number)
    return write_new_page(lake, product, first, at, PAGE_SIZE)


def land_page_today(lake: Path, number: int, product: str = PRODUCTS[0]) -> str:
    """Land one new page in the lake's last day (ids above every other page's, trades in the
    day's last hour), the partition a run every few minutes adds to; return its key."""
    first = 950_000_000 + number * PAGE_SIZE
    at = START + timedelta(days=DAYS, hours=-1, minutes=number)
    return write_new_page(lake, product, first, at, PAGE_SIZE)


def rows_per_day(trades: int) -> int:
    """Unique trades of one product in one day of a size's lake (the `today` partition)."""
    return int(trades / len(PRODUCTS) / DAYS)


def tree_bytes(path: Path, suffix: str = "") -> int:
    """Bytes of the files under `path` (ending in `suffix`)."""
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob(f"*{suffix}") if p.is_file())
