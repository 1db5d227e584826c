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


def _rows(folder: Path, label: str) -> tuple[dict[tuple[str, str], dict[str, Any]], list[str]]:
    """The table's rows by (product, hour), values as read, and a problem per repeated key."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    cols = ", ".join(COLUMNS)
    table = con.execute(
        f"SELECT product_id, hour, {cols} FROM read_parquet('{folder}/**/*.parquet', "
        "hive_partitioning = true, union_by_name = true)"
    ).fetchall()
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    problems = []
    for product, hour, *values in table:
        moment = hour.astimezone(UTC) if hour.tzinfo else hour.replace(tzinfo=UTC)
        key = (str(product), moment.isoformat())
        if key in rows:
            problems.append(f"{label}: {key} appears more than once")
        rows[key] = dict(zip(COLUMNS, values, strict=True))
    return rows, problems


def _same(ours: object, theirs: object) -> bool:
    """Equal exact values: Decimal or int on both sides (a float, NULL or string never is)."""
    exact = (Decimal, int)
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return False
    return isinstance(ours, exact) and isinstance(theirs, exact) and ours == theirs


def gold_differences(coinlake_gold: Path, baseline_gold: Path, limit: int = 5) -> list[str]:
    """Up to `limit` differences between two `trades_hourly` tables (empty: identical): rows in
    one only, repeated (product, hour) keys, and values that are not the same exact number."""
    ours, problems = _rows(coinlake_gold, "coinlake")
    theirs, repeated = _rows(baseline_gold, "baseline")
    problems += repeated
    problems += [f"only in coinlake: {k}" for k in sorted(set(ours) - set(theirs))]
    problems += [f"only in baseline: {k}" for k in sorted(set(theirs) - set(ours))]
    for key in sorted(set(ours) & set(theirs)):
        for column in COLUMNS:
            a, b = ours[key][column], theirs[key][column]
            if not _same(a, b):
                problems.append(f"{key} {column}: {a!r} != {b!r}")
    return problems[:limit]
