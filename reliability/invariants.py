"""The checks every part ends with, on a local copy of the lake.

1. every id the API can serve is in Bronze;
2. Silver is unique on (product_id, trade_id), holds exactly the served trades, value for value;
3. Gold `trades_hourly` equals an exact recomputation from Silver (counts, volumes, notional,
   first and last ids);
4. the lake equals the one an uninterrupted run builds on the same sandbox (Silver rows without
   lineage columns, Gold rows).
Ids in `excused` (trades whose only Bronze copy a part damaged on purpose) are left out of
"expected" and reported apart.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from coinlake.app.lake import open_lake
from coinlake.config import Settings
from coinlake.domain.envelope import split_envelope
from coinlake.errors import CoinlakeError
from coinlake.sandbox import Trade
from coinlake.sources.coinbase.parse import parse_trades

Key = tuple[str, int]
TRADES_DIR = "bronze/source=coinbase/dataset=trades"
SILVER_COLUMNS = "product_id, trade_id, trade_time, price, size, side"
GOLD_COLUMNS = (
    "product_id, hour, trade_count, avg_price, vwap, open, high, low, close, volume, notional, "
    "buy_volume, sell_volume, first_trade_id, last_trade_id, missing_trade_ids"
)


@dataclass
class Verdict:
    """The invariants' findings for one lake."""

    expected: int = 0
    found: int = 0
    duplicated: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.lost and not self.duplicated


def mirror(lake: str, into: Path, s3_endpoint_url: str | None = None) -> Path:
    """The lake as a local folder: a folder lake itself, an `s3://` lake downloaded to `into`."""
    if not lake.startswith("s3://"):
        return Path(lake)
    if into.exists():
        shutil.rmtree(into)
    store = open_lake(Settings(lake=lake, s3_endpoint_url=s3_endpoint_url))
    for key in store.list(""):
        target = into / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(store.get(key))
    return into


def bronze_trade_ids(root: Path) -> tuple[set[Key], list[str]]:
    """Ids in the parsable Bronze trades pages, and the pages that cannot be read."""
    ids: set[Key] = set()
    unreadable: list[str] = []
    for path in sorted((root / TRADES_DIR).glob("product=*/date=*/*.json")):
        if path.name.startswith("unparsed-"):
            continue
        product = path.parent.parent.name.removeprefix("product=")
        try:
            body = split_envelope(path.read_bytes()).body
            ids.update((product, t.trade_id) for t in parse_trades(body, product))
        except CoinlakeError:
            unreadable.append(str(path.relative_to(root)))
    return ids, unreadable


def _rows(root: Path, table: str, columns: str) -> list[tuple[Any, ...]]:
    files = list((root / table).glob("**/*.parquet"))
    if not files:
        return []
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    pattern = str(root / table / "**" / "*.parquet")
    query = f"SELECT {columns} FROM read_parquet(?, hive_partitioning = true)"
    return con.execute(query, [pattern]).fetchall()


def silver_rows(root: Path) -> list[tuple[Any, ...]]:
    """(product_id, trade_id, trade_time, price, size, side) of every Silver trades row."""
    return _rows(root, "silver/trades", SILVER_COLUMNS)


def gold_rows(root: Path) -> list[tuple[Any, ...]]:
    return _rows(root, "gold/trades_hourly", GOLD_COLUMNS)


def _served(trades: Mapping[str, list[Trade]]) -> dict[Key, tuple[Any, ...]]:
    return {
        (t.product_id, t.trade_id): (t.product_id, t.trade_id, t.time, t.price, t.size, t.side)
        for product_trades in trades.values()
        for t in product_trades
    }


def _gold_from_silver(
    rows: Iterable[tuple[Any, ...]],
) -> dict[tuple[str, datetime], tuple[Any, ...]]:
    """(trade_count, volume, notional, first id, last id) per product and hour, exactly."""
    hours: dict[tuple[str, datetime], list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        hour = row[2].replace(minute=0, second=0, microsecond=0)
        hours[(row[0], hour)].append(row)
    out = {}
    for key, members in hours.items():
        volume = sum((r[4] for r in members), Decimal(0))
        notional = sum((r[3] * r[4] for r in members), Decimal(0))
        ids = [r[1] for r in members]
        out[key] = (len(members), volume, notional, min(ids), max(ids))
    return out


def check_gold(silver: list[tuple[Any, ...]], gold: list[tuple[Any, ...]]) -> list[str]:
    """Problems where Gold's totals differ from an exact recomputation from Silver."""
    want = _gold_from_silver({(r[0], r[1]): r for r in silver}.values())
    have = {(g[0], g[1]): (g[2], g[9], g[10], g[13], g[14]) for g in gold}
    problems = []
    if len(gold) != len(have):
        problems.append(f"gold: {len(gold) - len(have)} duplicated (product, hour) rows")
    wrong = sorted(k for k in want.keys() | have.keys() if want.get(k) != have.get(k))
    if wrong:
        product, hour = wrong[0]
        problems.append(
            f"gold: {len(wrong)} hours differ from Silver, e.g. {product} {hour:%Y-%m-%dT%H}: "
            f"gold {have.get(wrong[0])} vs silver {want.get(wrong[0])}"
        )
    return problems


def check_lake(
    root: Path,
    trades: Mapping[str, list[Trade]],
    *,
    reference: Path | None = None,
    excused: set[Key] | None = None,
) -> Verdict:
    """Run the four invariants on the local lake `root` against the served `trades`."""
    excused = excused or set()
    served = _served(trades)
    expected = set(served) - excused
    verdict = Verdict(expected=len(expected))
    bronze, unreadable = bronze_trade_ids(root)
    missing_bronze = expected - bronze
    if missing_bronze:
        verdict.problems.append(f"bronze: {len(missing_bronze)} served ids missing")
    if unreadable:
        verdict.problems.append(f"bronze: {len(unreadable)} unreadable pages, e.g. {unreadable[0]}")
    silver = silver_rows(root)
    counts = Counter((r[0], r[1]) for r in silver)
    verdict.duplicated = sum(n - 1 for n in counts.values())
    have = set(counts)
    verdict.found = len(expected & have)
    verdict.lost = len(expected - have)
    extra = have - set(served)
    if extra:
        verdict.problems.append(f"silver: {len(extra)} ids the API never served")
    wrong = [r for r in silver if (r[0], r[1]) in served and tuple(r) != served[(r[0], r[1])]]
    if wrong:
        verdict.problems.append(f"silver: {len(wrong)} rows differ from the API, e.g. {wrong[0]}")
    if bronze - have - excused:
        verdict.problems.append(f"silver: {len(bronze - have)} Bronze ids not in Silver")
    verdict.problems += check_gold(silver, gold_rows(root))
    if reference is not None:
        verdict.problems += compare_lakes(root, reference)
    return verdict


def compare_lakes(root: Path, reference: Path) -> list[str]:
    """Problems where the lake's Silver or Gold differs from the reference lake's."""
    problems = []
    ours, theirs = set(silver_rows(root)), set(silver_rows(reference))
    if ours != theirs:
        problems.append(
            f"convergence: silver differs from an uninterrupted run "
            f"({len(ours - theirs)} extra, {len(theirs - ours)} missing rows)"
        )
    ours_gold, their_gold = sorted(gold_rows(root)), sorted(gold_rows(reference))
    if ours_gold != their_gold:
        diff = len(set(ours_gold) ^ set(their_gold))
        problems.append(f"convergence: gold differs from an uninterrupted run ({diff} rows)")
    return problems
