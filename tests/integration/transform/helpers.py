"""Small Bronze fixtures written with the real envelope code, and exact Python references."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb

from coinlake.devtools.bronze_pages import page_key
from coinlake.domain.envelope import EnvelopeMeta, build_envelope, parse_timestamp
from coinlake.engines.duckdb import DuckDBEngine
from coinlake.sources.coinbase.keys import trades_unparsed_key
from coinlake.storage.local import LocalStore
from coinlake.transform.runner import TableSummary, run_transform


@dataclass(frozen=True)
class T:
    """A trade as it appears in a Coinbase page (strings as the API sends them)."""

    trade_id: int
    time: str
    price: str
    size: str
    side: str = "buy"

    def json(self, string_id: bool = False) -> dict[str, Any]:
        return {
            "time": self.time,
            "trade_id": str(self.trade_id) if string_id else self.trade_id,
            "price": self.price,
            "size": self.size,
            "side": self.side,
        }


def land_page(
    root: Path,
    product: str,
    fetched: str,
    trades: list[T] | list[dict[str, Any]],
    *,
    string_id: bool = False,
    key: str | None = None,
    layout: str = "compact",
) -> str:
    """Write one Bronze trades page (newest first) and return its key.

    `layout` is how the API formatted the body, landed verbatim: `compact` (one line),
    `pretty` (indented, LF), `crlf` (indented, CRLF line ends) or `trailing_newline`."""
    rows = [t.json(string_id) if isinstance(t, T) else t for t in trades]
    ids = [int(r["trade_id"]) for r in rows if str(r.get("trade_id", "")).isdigit()] or [0]
    if key is None:
        rows.sort(key=lambda r: int(r["trade_id"]), reverse=True)
    fetched_at = parse_timestamp(fetched)
    meta = EnvelopeMeta(
        source="coinbase",
        dataset="trades",
        url=f"https://api.exchange.coinbase.com/products/{product}/trades",
        params={"limit": "1000"},
        status=200,
        headers={},
        fetched_at=fetched_at,
        client_version="test",
        product=product,
    )
    key = key or page_key(product, fetched_at, max(ids), min(ids))
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_envelope(meta, format_body(rows, layout)))
    return key


def format_body(document: object, layout: str) -> bytes:
    """`document` as an API might send it: see `land_page`'s `layout`."""
    if layout == "compact":
        return json.dumps(document).encode()
    if layout == "trailing_newline":
        return json.dumps(document).encode() + b"\n"
    pretty = json.dumps(document, indent=2) + "\n"
    if layout == "pretty":
        return pretty.encode()
    if layout == "crlf":
        return pretty.replace("\n", "\r\n").encode()
    raise ValueError(f"unknown layout {layout!r}")


def land_unparsable(root: Path, product: str, fetched: str) -> str:
    """Write one envelope whose body was not JSON (kept as body_text with parse_error)."""
    fetched_at = parse_timestamp(fetched)
    meta = EnvelopeMeta(
        source="coinbase",
        dataset="trades",
        url="https://api.exchange.coinbase.com/products/x/trades",
        params={},
        status=200,
        headers={},
        fetched_at=fetched_at,
        client_version="test",
        product=product,
        parse_error="truncated JSON",
    )
    body = b'[{"time": "2026-11-2'
    key = trades_unparsed_key(product, fetched_at, body)
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_envelope(meta, body))
    return key


def run(root: Path, layer: str = "all", full_refresh: bool = False) -> list[TableSummary]:
    engine = DuckDBEngine(threads=2, memory_limit="512MB")
    try:
        return run_transform(LocalStore(root), engine, layer, full_refresh=full_refresh)  # type: ignore[arg-type]
    finally:
        engine.close()


def trades(summaries: list[TableSummary]) -> TableSummary:
    """The summary of silver.trades among a run's summaries."""
    (found,) = [s for s in summaries if s.table == "silver.trades"]
    return found


def read_table(root: Path, path: str, order: str) -> list[dict[str, Any]]:
    """All rows of a Hive-partitioned Parquet table, as dicts (empty when absent)."""
    files = sorted((root / path).rglob("*.parquet"))
    if not files:
        return []
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rel = con.sql(
        f"SELECT * FROM read_parquet({[str(f) for f in files]}, hive_partitioning=true) "
        f"ORDER BY {order}"
    )
    rows: list[dict[str, Any]] = rel.to_arrow_table().to_pylist()
    con.close()
    return rows


def lake_snapshot(root: Path) -> dict[str, Any]:
    """Every Silver/Gold/quarantine row, by table (order-independent content of the lake)."""
    return {
        "silver": [
            {k: v for k, v in r.items()}
            for r in read_table(root, "silver/trades", "product_id, trade_id")
        ],
        "gold": read_table(root, "gold/trades_hourly", "product_id, hour"),
        "quarantine": read_table(
            root, "quarantine/trades", "bronze_key, rule, trade_id_raw, time_raw"
        ),
    }


def half_up(value: Decimal, places: str = "0.00000001") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def reference_gold(silver: list[dict[str, Any]]) -> dict[tuple[str, datetime], dict[str, Any]]:
    """gold.trades_hourly recomputed from Silver rows with Python Decimal."""
    groups: dict[tuple[str, datetime], list[dict[str, Any]]] = {}
    for row in silver:
        t = row["trade_time"].astimezone(UTC)
        hour = t.replace(minute=0, second=0, microsecond=0)
        groups.setdefault((row["product_id"], hour), []).append(row)
    out = {}
    for key, rows in groups.items():
        rows.sort(key=lambda r: r["trade_id"])
        volume = sum((r["size"] for r in rows), Decimal(0))
        notional = sum((r["price"] * r["size"] for r in rows), Decimal(0))
        ids = [r["trade_id"] for r in rows]
        out[key] = {
            "trade_count": len(rows),
            "avg_price": half_up(sum((r["price"] for r in rows), Decimal(0)) / len(rows)),
            "vwap": half_up(notional / volume),
            "open": rows[0]["price"],
            "close": rows[-1]["price"],
            "high": max(r["price"] for r in rows),
            "low": min(r["price"] for r in rows),
            "volume": volume,
            "notional": notional,
            "buy_volume": sum((r["size"] for r in rows if r["side"] == "sell"), Decimal(0)),
            "sell_volume": sum((r["size"] for r in rows if r["side"] == "buy"), Decimal(0)),
            "first_trade_id": ids[0],
            "last_trade_id": ids[-1],
            "missing_trade_ids": ids[-1] - ids[0] + 1 - len(ids),
        }
    return out


def gold_by_key(gold: list[dict[str, Any]]) -> dict[tuple[str, datetime], dict[str, Any]]:
    return {
        (r["product_id"], r["hour"].astimezone(UTC)): {
            k: v for k, v in r.items() if k not in ("product_id", "hour", "date", "year")
        }
        for r in gold
    }


def expected_silver_keys(root: Path) -> set[tuple[str, int]]:
    """(product, trade id) of every trade with at least one valid copy in Bronze, by Python."""
    keys = set()
    for path in root.glob("bronze/source=coinbase/dataset=trades/**/*.json"):
        document = json.loads(path.read_text(), parse_float=Decimal)
        if document["meta"]["parse_error"] is not None:
            continue
        for row in document["body"]:
            try:
                trade_id = int(row["trade_id"])
                parse_timestamp(row["time"])
                ok = Decimal(row["price"]) > 0 and Decimal(row["size"]) > 0
            except (KeyError, ValueError, ArithmeticError):
                continue
            if ok and row["side"] in ("buy", "sell"):
                keys.add((document["meta"]["product"], trade_id))
    return keys


MIDNIGHT_PAGE = [
    T(1001, "2026-11-21T23:59:59.999999Z", "91234.56", "0.00120000", "buy"),
    T(1002, "2026-11-22T00:00:00.000001Z", "91234.57", "0.50000000", "sell"),
]
