"""The baseline: Bronze trade pages -> Silver -> Gold the way the seeds' readers do it, in pandas.

`json.load` per file, one DataFrame per page, `concat`, validation with pandas converters,
`drop_duplicates`, `groupby`, `to_parquet`. Money stays exact (`decimal.Decimal` objects in
object columns) so that Gold is value-for-value the same as coinlake's `gold.trades_hourly`
(the smoke test checks it); only what a reader of the seeds would write, no tuning.

Rules kept the same as `silver.trades`: rows without an id, an unparsable or out-of-range
time, a non-positive price or size, or an unknown side are dropped (coinlake quarantines
them); among copies of a trade the earliest fetched page wins; unparsable responses are
skipped.
"""

from __future__ import annotations

import json
import os
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

PREFIX = "bronze/source=coinbase/dataset=trades"
_EIGHT = Decimal("0.00000001")
_CTX = Context(prec=80)


def _dec(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and value > 0 else None


def _half_up(a: Decimal, b: Decimal) -> Decimal:
    return _CTX.divide(a, b).quantize(_EIGHT, rounding=ROUND_HALF_UP)


def read_bronze(root: Path) -> pd.DataFrame:
    """Every trade row of every page, as strings, with its page's product, fetch time and key."""
    frames = []
    for folder, _dirs, files in os.walk(root / PREFIX):
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            path = Path(folder, name)
            with path.open() as handle:
                document = json.load(handle)
            if "body" not in document:  # unparsable response, landed as body_text
                continue
            frame = pd.DataFrame(document["body"])
            frame["product_id"] = document["meta"]["product"]
            frame["ingested_at"] = document["meta"]["fetched_at"]
            frame["bronze_key"] = path.relative_to(root).as_posix()
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def to_silver(raw: pd.DataFrame) -> pd.DataFrame:
    """Typed, validated, deduplicated trades."""
    df = pd.DataFrame({"product_id": raw["product_id"], "bronze_key": raw["bronze_key"]})
    df["trade_id"] = pd.to_numeric(raw["trade_id"], errors="coerce")
    df["trade_time"] = pd.to_datetime(raw["time"], utc=True, format="ISO8601", errors="coerce")
    df["price"] = raw["price"].map(_dec)
    df["size"] = raw["size"].map(_dec)
    df["side"] = raw["side"].str.lower()
    df["ingested_at"] = pd.to_datetime(raw["ingested_at"], utc=True, format="ISO8601")
    ok = (
        df["trade_id"].notna()
        & df["trade_time"].between(
            pd.Timestamp("2010-01-01", tz="UTC"),
            pd.Timestamp("2100-01-01", tz="UTC"),
            inclusive="left",
        )
        & df["price"].notna()
        & df["size"].notna()
        & df["side"].isin(["buy", "sell"])
    )
    df = df[ok].copy()
    df["trade_id"] = df["trade_id"].astype("int64")
    df = df.sort_values(["product_id", "trade_id", "ingested_at", "bronze_key"])
    df = df.drop_duplicates(subset=["product_id", "trade_id"], keep="first")
    df["source"] = "coinbase"
    df["date"] = df["trade_time"].dt.strftime("%Y-%m-%d")
    return df


def to_gold(silver: pd.DataFrame) -> pd.DataFrame:
    """Per product and UTC hour: the columns of `gold.trades_hourly`."""
    df = silver.sort_values(["product_id", "trade_id"])
    df = df.assign(
        hour=df["trade_time"].dt.floor("h"),
        notional=[p * s for p, s in zip(df["price"], df["size"], strict=True)],
        buy=[
            s if side == "sell" else Decimal(0)
            for s, side in zip(df["size"], df["side"], strict=True)
        ],
        sell=[
            s if side == "buy" else Decimal(0)
            for s, side in zip(df["size"], df["side"], strict=True)
        ],
    )
    grouped = df.groupby(["product_id", "hour"], sort=True)
    gold = grouped.agg(
        trade_count=("trade_id", "count"),
        price_sum=("price", "sum"),
        open=("price", "first"),
        high=("price", "max"),
        low=("price", "min"),
        close=("price", "last"),
        volume=("size", "sum"),
        notional=("notional", "sum"),
        buy_volume=("buy", "sum"),
        sell_volume=("sell", "sum"),
        first_trade_id=("trade_id", "min"),
        last_trade_id=("trade_id", "max"),
    ).reset_index()
    gold["avg_price"] = [
        _half_up(s, Decimal(n)) for s, n in zip(gold["price_sum"], gold["trade_count"], strict=True)
    ]
    gold["vwap"] = [_half_up(n, v) for n, v in zip(gold["notional"], gold["volume"], strict=True)]
    gold["missing_trade_ids"] = (
        gold["last_trade_id"] - gold["first_trade_id"] + 1 - gold["trade_count"]
    )
    gold["date"] = gold["hour"].dt.strftime("%Y-%m-%d")
    return gold.drop(columns=["price_sum"])


def run(root: Path) -> dict[str, int]:
    """Bronze under `root` -> Parquet under `root/baseline/` (silver_trades, gold_trades_hourly)."""
    raw = read_bronze(root)
    silver = to_silver(raw)
    del raw
    silver.to_parquet(root / "baseline" / "silver_trades", partition_cols=["product_id", "date"])
    gold = to_gold(silver)
    gold.to_parquet(root / "baseline" / "gold_trades_hourly", partition_cols=["product_id", "date"])
    return {"silver_rows": len(silver), "gold_rows": len(gold)}
