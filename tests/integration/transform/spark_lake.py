"""A Bronze lake exercising every Silver/Gold table, and readers comparing two lakes exactly.

Used by the Spark tests: the same Bronze is copied into one lake per engine, each engine runs,
and every table (Silver, Gold, quarantine) is read back row for row with DuckDB.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb

from coinlake.devtools.bronze_pages import PageSpec, write_trade_pages
from tests.integration.transform.helpers import (
    MIDNIGHT_PAGE,
    T,
    format_body,
    land_page,
    land_unparsable,
)
from tests.integration.transform.test_prices_candles import _history, _land, _snapshot

TABLES = (
    "silver/trades",
    "silver/prices",
    "silver/candles",
    "gold/trades_hourly",
    "gold/prices_daily",
    "quarantine/trades",
    "quarantine/prices",
    "quarantine/candles",
)
"""Every table folder a transform writes."""

SPEC = PageSpec(
    trades=6000,
    products=("BTC-USD", "ETH-USD", "SOL-USD"),
    days=2.5,
    page_size=250,
    overlap_rate=0.15,
    late_rate=0.08,
    string_id_rate=0.2,
    bad_row_rate=0.01,
    unparsable_pages=2,
    seed=11,
)
"""6,000 distinct trades over 3 products and 3-4 days with re-fetches, late pages, bad rows."""

EDGE_TRADES: list[dict[str, Any]] = [
    # straddling midnight and an hour, microseconds, uppercase side, string id
    {
        "time": "2026-11-23T23:59:59.999999Z",
        "trade_id": 9001,
        "price": "7.5",
        "size": "2",
        "side": "BUY",
    },
    {
        "time": "2026-11-24T00:00:00.000001Z",
        "trade_id": "9002",
        "price": "7.50000001",
        "size": "0.00000001",
        "side": "sell",
    },
    # half a unit at the 9th place: rounded half-up by both engines
    {
        "time": "2026-11-24T00:10:00Z",
        "trade_id": 9003,
        "price": "7.000000005",
        "size": "3",
        "side": "buy",
    },
    {
        "time": "2026-11-24T00:20:00.5Z",
        "trade_id": 9005,
        "price": "8",
        "size": "1.25",
        "side": "sell",
    },
    # bad rows, one per rule
    {"time": "2026-11-24T00:30:00Z", "price": "8", "size": "1", "side": "buy"},
    {"time": "2026-11-24T00:30:00Z", "trade_id": "abc", "price": "8", "size": "1", "side": "buy"},
    {"time": "not a time", "trade_id": 9006, "price": "8", "size": "1", "side": "buy"},
    {"time": "1999-01-01T00:00:00Z", "trade_id": 9007, "price": "8", "size": "1", "side": "buy"},
    {"time": "2026-11-24T00:30:00Z", "trade_id": 9008, "price": "abc", "size": "1", "side": "buy"},
    {"time": "2026-11-24T00:30:00Z", "trade_id": 9009, "price": "0", "size": "1", "side": "buy"},
    {"time": "2026-11-24T00:30:00Z", "trade_id": 9010, "price": "8", "size": "-1", "side": "buy"},
    {"time": "2026-11-24T00:30:00Z", "trade_id": 9011, "price": "8", "size": "1", "side": None},
    {"time": "2026-11-24T00:30:00Z", "trade_id": 9012, "price": "8", "size": "1", "side": "hold"},
]
"""Hand-made trades: boundaries, rounding, and each quarantine rule."""

WHITESPACE_PAGES: dict[str, list[T]] = {
    layout: [
        T(8000 + 10 * n + i, f"2026-11-24T0{n}:0{i}:00.00000{i + 1}Z", f"{n + 2}.5", "1", "sell")
        for i in range(3)
    ]
    for n, layout in enumerate(("pretty", "crlf", "trailing_newline"))
}
"""Trades pages whose bodies hold line breaks, by layout (each body is landed verbatim)."""

T1, T2, T3 = 1763805600, 1763809200, 1763892000  # 2025-11-22 10:00, 11:00; 2025-11-23 10:00


def _candles(root: Path, name: str, fetched: str, body: bytes, granularity: object) -> None:
    key = f"bronze/source=coinbase/dataset=candles/product=BTC-USD/date=2025-11-22/{name}"
    _land(
        root, key, "candles", fetched, body, product="BTC-USD", params={"granularity": granularity}
    )


def write_prices_and_candles(root: Path) -> None:
    """CoinGecko snapshots and market_chart history, Coinbase candles, with duplicates and every
    quarantine rule."""
    _snapshot(
        root,
        "2025-11-22T10:00:30Z",
        '{"bitcoin": {"usd": 91234.12, "usd_market_cap": 1.81e12, "usd_24h_vol": 31000000000.5, '
        f'"usd_24h_change": -1.23, "eur": 85000.5, "last_updated_at": {T1}}}, '
        f'"solana": {{"usd": 0.000012345678, "usd_24h_change": null, "last_updated_at": {T1}}}}}',
    )
    _snapshot(
        root, "2025-11-22T10:05:00Z", f'{{"bitcoin": {{"usd": 91234.12, "last_updated_at": {T1}}}}}'
    )
    _snapshot(
        root,
        "2025-11-22T11:00:30Z",
        f'{{"bitcoin": {{"usd": 90000, "eur": 84000, '
        f'"usd_market_cap": 1.8e12, "last_updated_at": {T2}}}}}',
    )
    _snapshot(
        root,
        "2025-11-23T10:00:30Z",
        f'{{"bitcoin": {{"usd": 90001.5, "eur": 84001, '
        f'"last_updated_at": {T3}}}, "ethereum": {{"usd": 3000}}, '
        f'"dogecoin": {{"usd": 0, "last_updated_at": {T3}}}}}',
    )
    _snapshot(root, "2025-11-23T10:01:00Z", "{}")
    _snapshot(
        root,
        "2025-11-23T10:03:00Z",
        format_body({"ethereum": {"usd": 3001.25, "last_updated_at": T3 + 60}}, "crlf").decode(),
    )
    _land(
        root,
        "bronze/source=coingecko/dataset=simple_price/year=2025/month=11/day=23/bad.json",
        "simple_price",
        "2025-11-23T10:02:00Z",
        b"<html>Cloudflare</html>",
        parse_error="not JSON",
    )
    t1_ms, t2_ms = T1 * 1000, T2 * 1000 + 123  # milliseconds kept exactly
    _history(
        root,
        "bitcoin",
        "usd",
        "2025-11-22T12:00:00Z",
        f'{{"prices": [[{t1_ms}, 91234.12], [{t2_ms}, 90000.12345678], [{t2_ms + 1}, -5]], '
        f'"market_caps": [[{t1_ms}, 1810000000000], [{t2_ms}, 1.8e12]], '
        f'"total_volumes": [[{t1_ms}, 31000000000.5], [{t2_ms}, 168400239.89804137]]}}',
    )
    _history(
        root, "ethereum", "eur", "2025-11-22T12:00:01Z", "<html>429</html>", parse_error="not JSON"
    )
    _candles(
        root,
        "a.json",
        "2025-11-22T12:00:00Z",
        b"[[1763809200, 90000.5, 91000, 90100, 90900.25, 12.5], [1763805600, 1, 2, 1, 2, 3]]",
        3600,
    )
    _candles(
        root,
        "b.json",
        "2025-11-22T13:00:00Z",
        b"[[1763809200, 90000.5, 91000, 90100, 90900.25, 12.5], [1763812800, 5, 4, 4, 4, 1],"
        b" [1763816400, 1, 2, 1, 2, -1], [null, 1, 2, 1, 2, 1]]",
        3600,
    )
    _candles(root, "c.json", "2025-11-22T14:00:00Z", b"[[1763816400, 1, 2, 1, 2, 1]]", "x")
    _candles(root, "d.json", "2025-11-22T15:00:00Z", b"[[1763816400, 1, 2", 60)


def write_bronze(root: Path) -> int:
    """The whole fixture: generated trade pages, hand-made pages, snapshots and candles.
    Returns the number of Bronze objects."""
    summary = write_trade_pages(root, SPEC)
    land_page(
        root,
        "BTC-USD",
        "2026-11-24T01:00:05Z",
        EDGE_TRADES,
        key=("bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-11-24/edge.json"),
    )
    land_page(root, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT_PAGE)
    # the same midnight trades again, fetched later (a late re-fetch): deduplicated
    land_page(root, "BTC-USD", "2026-11-25T09:00:00Z", MIDNIGHT_PAGE)
    land_unparsable(root, "ETH-USD", "2026-11-22T05:00:00Z")
    for n, (layout, trades) in enumerate(WHITESPACE_PAGES.items()):
        land_page(root, "BTC-USD", f"2026-11-24T0{n}:30:00Z", trades, layout=layout)
    write_prices_and_candles(root)
    return summary.objects + 20 + len(damage_bronze(root))


def damage_bronze(root: Path) -> list[str]:
    """Objects that cannot be read, one per reader: a trades page and a market_chart object
    cut after they landed, an HTML file among trades pages, an empty candles object."""
    cut = land_page(
        root, "SOL-USD", "2026-11-23T06:00:00Z", [T(7001, "2026-11-23T05:59:00Z", "1", "1")]
    )
    history = _history(root, "solana", "usd", "2025-11-22T12:00:02Z", '{"prices": [[1, 2]]}')
    for key in (cut, history):
        data = (root / key).read_bytes()
        (root / key).write_bytes(data[: len(data) - 7])
    html = "bronze/source=coinbase/dataset=trades/product=ETH-USD/date=2026-11-23/x.json"
    (root / html).parent.mkdir(parents=True, exist_ok=True)
    (root / html).write_bytes(b"<html>502</html>")
    empty = "bronze/source=coinbase/dataset=candles/product=BTC-USD/date=2025-11-22/e.json"
    (root / empty).write_bytes(b"")
    return [cut, history, html, empty]


def copy_bronze(source: Path, target: Path) -> Path:
    """A new lake holding a copy of `source`'s Bronze only."""
    shutil.copytree(source / "bronze", target / "bronze")
    return target


def read_rows(root: Path, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table (partition columns included), sorted, as Python values."""
    files = sorted((root / table).rglob("*.parquet"))
    if not files:
        return []
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rows = con.sql(
        f"SELECT * FROM read_parquet({[str(f) for f in files]}, hive_partitioning=true) "
        "ORDER BY ALL"
    ).fetchall()
    con.close()
    return rows


def file_schema(root: Path, table: str) -> list[tuple[str, str]]:
    """(column, Parquet-derived DuckDB type) of a table's files, partition columns excluded."""
    files = sorted((root / table).rglob("*.parquet"))
    if not files:
        return []
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    described = con.sql(f"DESCRIBE SELECT * FROM read_parquet('{files[0]}')").fetchall()
    con.close()
    return [(str(row[0]), str(row[1])) for row in described]


def partition_files(root: Path, table: str) -> dict[str, int]:
    """Files per partition folder of a table."""
    counts: dict[str, int] = {}
    for path in (root / table).rglob("*.parquet"):
        assert path.name.startswith("part-"), path
        folder = str(path.parent.relative_to(root / table))
        counts[folder] = counts.get(folder, 0) + 1
    return counts


def snapshot(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's sorted rows."""
    return {table: read_rows(root, table) for table in TABLES}
