"""Gold parity: the pandas baseline and coinlake give the same `trades_hourly`, value for value."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from pathlib import Path
from typing import Any

COLUMNS = (
    "trade_count", "avg_price", "vwap", "open", "high", "low", "close", "volume", "notional",
    "buy_volume", "sell_volume", "first_trade_id", "last_trade_id", "missing_trade_ids",
)  # fmt: skip


def _rows(folder: Path) -> dict[tuple[str, str], dict[str, Any]]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    cols = ", ".join(COLUMNS)
    table = con.execute(
        f"SELECT product_id, hour, {cols} FROM read_parquet('{folder}/**/*.parquet', "
        "hive_partitioning = true, union_by_name = true)"
    ).fetchall()
    rows = {}
    for product, hour, *values in table:
        moment = hour.astimezone(UTC) if hour.tzinfo else hour.replace(tzinfo=UTC)
        norm = [Decimal(v) if isinstance(v, Decimal) else int(v) for v in values]
        rows[(str(product), moment.isoformat())] = dict(zip(COLUMNS, norm, strict=True))
    return rows


def gold_differences(coinlake_gold: Path, baseline_gold: Path, limit: int = 5) -> list[str]:
    """Up to `limit` differences between two `trades_hourly` tables (empty: identical)."""
    ours, theirs = _rows(coinlake_gold), _rows(baseline_gold)
    problems = [f"only in coinlake: {k}" for k in sorted(set(ours) - set(theirs))]
    problems += [f"only in baseline: {k}" for k in sorted(set(theirs) - set(ours))]
    for key in sorted(set(ours) & set(theirs)):
        for column in COLUMNS:
            if ours[key][column] != theirs[key][column]:
                problems.append(f"{key} {column}: {ours[key][column]} != {theirs[key][column]}")
    return problems[:limit]
