"""Write a small, deterministic lake in the documented Silver/Gold schemas with pyarrow.

For tests, the benchmark and demos of the query layer without running ingestion and the
transforms. Gold rows are computed from the generated trades with Python `Decimal`, so they are an
independent exact computation; `write_gold_year` writes Gold alone (a year of hours is cheap).
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from coinlake.sources.registry import REGISTRY
from coinlake.storage.layout import bronze_dataset_prefix
from coinlake.tables.catalog import sql_table
from coinlake.tables.spec import Table

Row = dict[str, Any]
EIGHT = Decimal("0.00000001")
COINS = {"BTC": "bitcoin", "ETH": "ethereum", "SOL": "solana"}
_START_PRICE = {"BTC": Decimal(60000), "ETH": Decimal(3000), "SOL": Decimal(150)}
_DECIMAL_RE = re.compile(r"^decimal\((\d+),(\d+)\)$")
_ARROW = {
    "string": pa.string(),
    "bigint": pa.int64(),
    "int": pa.int32(),
    "double": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def arrow_type(hive_type: str) -> pa.DataType:
    """The Parquet/Arrow type the lake stores for a Hive/Athena column type."""
    match = _DECIMAL_RE.match(hive_type)
    if match:
        return pa.decimal128(int(match.group(1)), int(match.group(2)))
    return _ARROW[hive_type]


def arrow_schema(spec: Table) -> pa.Schema:
    """The schema of a table's Parquet files (partition columns live in the folder names)."""
    return pa.schema([(col.name, arrow_type(col.type)) for col in spec.columns])


def write_table(root: Path, spec: Table, rows: Iterable[Row]) -> list[Path]:
    """Write rows as Hive-partitioned Parquet under `root/spec.path`; one file per partition."""
    groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    for row in rows:
        key = tuple(_partition_value(row[p.name]) for p in spec.partition_by)
        groups[key].append(row)
    schema = arrow_schema(spec)
    written = []
    for key, members in sorted(groups.items()):
        folder = root / spec.path
        for part, value in zip(spec.partition_by, key, strict=True):
            folder /= f"{part.name}={value}"
        folder.mkdir(parents=True, exist_ok=True)
        columns = {col.name: [row[col.name] for row in members] for col in spec.columns}
        path = folder / "part-00000.parquet"
        pq.write_table(pa.table(columns, schema=schema), path)
        written.append(path)
    return written


def _partition_value(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@dataclass(frozen=True, slots=True)
class SampleLake:
    """What `write_sample_lake` wrote, for assertions."""

    trades: list[Row]
    hourly: list[Row]
    prices_daily: list[Row]
    quarantined: list[Row]


def build_trades(
    products: Sequence[str],
    start: datetime,
    hours: int,
    trades_per_hour: int,
    *,
    seed: int = 7,
    drop_every: int = 0,
) -> list[Row]:
    """Silver trade rows: sequential ids per product, one id in `drop_every` missing (a gap)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    rows: list[Row] = []
    for product in products:
        base = product.split("-")[0]
        price = _START_PRICE.get(base, Decimal(100))
        trade_id = 1_000
        for hour in range(hours):
            hour_start = start + timedelta(hours=hour)
            offsets = sorted(rng.randrange(3_600_000_000) for _ in range(trades_per_hour))
            for offset in offsets:
                trade_id += 1
                price = max(EIGHT, price * Decimal(1 + rng.uniform(-0.002, 0.002))).quantize(
                    Decimal("0.01")
                )
                if drop_every and trade_id % drop_every == 0:
                    continue
                at = hour_start + timedelta(microseconds=offset)
                rows.append(_trade(product, trade_id, at, price, rng))
    return rows


_TRADES_SOURCE, _TRADES_DATASET = REGISTRY.id_walked()[0]
"""The source and dataset of the sample trades: the first registered id-walked one."""
_TRADES_PREFIX = bronze_dataset_prefix(_TRADES_SOURCE, _TRADES_DATASET)


def _trade(product: str, trade_id: int, at: datetime, price: Decimal, rng: random.Random) -> Row:
    return {
        "product_id": product,
        "date": at.date(),
        "trade_id": trade_id,
        "trade_time": at,
        "price": price,
        "size": Decimal(rng.randrange(1, 500_000_000)) * EIGHT,
        "side": rng.choice(("buy", "sell")),
        "source": _TRADES_SOURCE,
        "ingested_at": at + timedelta(minutes=5),
        "bronze_key": f"{_TRADES_PREFIX}product={product}/{trade_id}.json",
    }


def build_hourly(trades: Iterable[Row]) -> list[Row]:
    """Gold hourly rows from Silver trade rows, exactly, with Python Decimal."""
    groups: dict[tuple[str, datetime], list[Row]] = defaultdict(list)
    for trade in trades:
        hour = trade["trade_time"].replace(minute=0, second=0, microsecond=0)
        groups[(trade["product_id"], hour)].append(trade)
    out = []
    for (product, hour), members in sorted(groups.items()):
        members.sort(key=lambda row: row["trade_id"])
        prices = [row["price"] for row in members]
        volume = sum((row["size"] for row in members), Decimal(0))
        notional = sum((row["price"] * row["size"] for row in members), Decimal(0))
        first, last = members[0]["trade_id"], members[-1]["trade_id"]
        out.append(
            {
                "product_id": product,
                "year": f"{hour:%Y}",
                "date": hour.date(),
                "hour": hour,
                "trade_count": len(members),
                "avg_price": (sum(prices, Decimal(0)) / len(prices)).quantize(EIGHT, ROUND_HALF_UP),
                "vwap": (notional / volume).quantize(EIGHT, ROUND_HALF_UP),
                "open": prices[0],
                "high": max(prices),
                "low": min(prices),
                "close": prices[-1],
                "volume": volume,
                "notional": notional,
                # Taker view, as the transform: Coinbase's side is the maker's.
                "buy_volume": _side_volume(members, "sell"),
                "sell_volume": _side_volume(members, "buy"),
                "first_trade_id": first,
                "last_trade_id": last,
                "missing_trade_ids": last - first + 1 - len(members),
            }
        )
    return out


def _side_volume(members: list[Row], maker_side: str) -> Decimal | None:
    sizes = [row["size"] for row in members if row["side"] == maker_side]
    return sum(sizes, Decimal(0)) if sizes else None


def build_prices_daily(hourly: Iterable[Row]) -> list[Row]:
    """Gold daily CoinGecko-like prices (in usd) for the coins behind the hourly products."""
    days: dict[tuple[str, date], list[Row]] = defaultdict(list)
    for row in hourly:
        coin = COINS.get(row["product_id"].split("-")[0])
        if coin is not None:
            days[(coin, row["date"])].append(row)
    out = []
    for (coin, day), members in sorted(days.items()):
        closes = [row["close"] for row in members]
        out.append(
            {
                "coin_id": coin,
                "vs_currency": "usd",
                "date": day,
                "open": closes[0],
                "high": max(closes),
                "low": min(closes),
                "close": closes[-1],
                "avg_price": (sum(closes, Decimal(0)) / len(closes)).quantize(EIGHT),
                "market_cap": closes[-1] * 19_000_000,
                "volume_24h": sum((row["notional"] for row in members), Decimal(0)).quantize(EIGHT),
                "observations": len(members),
            }
        )
    return out


def write_sample_lake(
    root: Path,
    *,
    products: Sequence[str] = ("BTC-USD", "ETH-USD"),
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    hours: int = 30,
    trades_per_hour: int = 20,
    seed: int = 7,
    drop_every: int = 97,
    quarantined: int = 3,
) -> SampleLake:
    """Write Silver trades, Gold hourly, Gold daily prices and a few quarantined rows."""
    trades = build_trades(products, start, hours, trades_per_hour, seed=seed, drop_every=drop_every)
    hourly = build_hourly(trades)
    prices = build_prices_daily(hourly)
    bad = [
        {
            "date": start.date(),
            "rule": "bad_price",
            "detail": None,
            "bronze_key": f"{_TRADES_PREFIX}product=BTC-USD/bad.json",
            "ingested_at": start,
        }
        | {col.name: "0" for col in sql_table("quarantine_trades").columns[4:]}
        for _ in range(quarantined)
    ]
    write_table(root, sql_table("silver_trades"), trades)
    write_table(root, sql_table("gold_trades_hourly"), hourly)
    write_table(root, sql_table("gold_prices_daily"), prices)
    if bad:
        write_table(root, sql_table("quarantine_trades"), bad)
    return SampleLake(trades, hourly, prices, bad)


def write_gold_year(
    root: Path, products: Sequence[str], *, days: int = 365, seed: int = 11
) -> Mapping[str, int]:
    """A year (by default) of Gold hourly rows per product, written directly; returns counts."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = []
    for product in products:
        price = Decimal(rng.randrange(10, 60_000))
        trade_id = 1
        for hour_index in range(days * 24):
            hour = start + timedelta(hours=hour_index)
            count = rng.randrange(200, 5_000)
            price = (price * Decimal(1 + rng.uniform(-0.01, 0.01))).quantize(Decimal("0.01"))
            volume = Decimal(rng.randrange(10**8, 10**12)) * EIGHT
            buy = (volume * Decimal(rng.randrange(30, 70)) / 100).quantize(EIGHT)
            high = price * Decimal("1.004")
            low = price * Decimal("0.996")
            rows.append(
                {
                    "product_id": product,
                    "year": f"{hour:%Y}",
                    "date": hour.date(),
                    "hour": hour,
                    "trade_count": count,
                    "avg_price": price,
                    "vwap": price,
                    "open": price,
                    "high": high.quantize(EIGHT),
                    "low": low.quantize(EIGHT),
                    "close": price,
                    "volume": volume,
                    "notional": (price * volume).quantize(Decimal("1e-16")),
                    "buy_volume": buy,
                    "sell_volume": volume - buy,
                    "first_trade_id": trade_id,
                    "last_trade_id": trade_id + count - 1,
                    "missing_trade_ids": 0,
                }
            )
            trade_id += count
    write_table(root, sql_table("gold_trades_hourly"), rows)
    return {"rows": len(rows), "partitions": len({(r["product_id"], r["year"]) for r in rows})}
