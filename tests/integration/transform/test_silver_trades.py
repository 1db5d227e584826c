"""silver.trades and its quarantine on small hand-made Bronze pages (DuckDB engine)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.integration.transform.helpers import T, land_page, land_unparsable, read_table, run

pytestmark = pytest.mark.integration

MIDNIGHT = [
    T(1001, "2026-11-21T23:59:59.999999Z", "91234.56", "0.00120000", "buy"),
    T(1002, "2026-11-22T00:00:00.000001Z", "91234.57", "0.50000000", "sell"),
    T(1003, "2026-11-22T00:59:59.999999Z", "91000.01", "1.00000000", "SELL"),
    T(1004, "2026-11-22T01:00:00Z", "91000.02", "0.00000001", "buy"),
]


def _silver(root: Path) -> list[dict[str, object]]:
    return read_table(root, "silver/trades", "product_id, trade_id")


def test_trades_are_typed_exactly_with_microseconds_and_event_date_partitions(
    tmp_path: Path,
) -> None:
    key = land_page(tmp_path, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT, string_id=True)
    run(tmp_path, "silver")
    rows = _silver(tmp_path)
    assert [r["trade_id"] for r in rows] == [1001, 1002, 1003, 1004]
    assert rows[0]["trade_time"] == datetime(2026, 11, 21, 23, 59, 59, 999999, tzinfo=UTC)
    assert rows[1]["trade_time"] == datetime(2026, 11, 22, 0, 0, 0, 1, tzinfo=UTC)
    assert [r["price"] for r in rows] == [Decimal(t.price) for t in MIDNIGHT]
    assert [r["size"] for r in rows] == [Decimal(t.size) for t in MIDNIGHT]
    assert [r["side"] for r in rows] == ["buy", "sell", "sell", "buy"]
    assert {r["source"] for r in rows} == {"coinbase"}
    assert {r["bronze_key"] for r in rows} == {key}
    assert {r["ingested_at"] for r in rows} == {datetime(2026, 11, 22, 1, 0, 5, tzinfo=UTC)}
    assert [r["date"] for r in rows] == [date(2026, 11, 21)] + [date(2026, 11, 22)] * 3
    dirs = sorted(p.parent.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet"))
    assert dirs == [
        "silver/trades/product_id=BTC-USD/date=2026-11-21",
        "silver/trades/product_id=BTC-USD/date=2026-11-22",
    ]


def test_a_refetched_overlapping_page_keeps_each_trade_once_from_the_earliest_fetch(
    tmp_path: Path,
) -> None:
    first = land_page(tmp_path, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT[:3])
    second = land_page(tmp_path, "BTC-USD", "2026-11-22T02:00:00Z", MIDNIGHT[1:])
    summaries = run(tmp_path, "silver")
    rows = _silver(tmp_path)
    assert [r["trade_id"] for r in rows] == [1001, 1002, 1003, 1004]
    assert [r["bronze_key"] for r in rows] == [first, first, first, second]
    assert summaries[0].rows_deduped == 2
    assert summaries[0].rows_written == 4


def test_duplicates_across_runs_and_a_late_page_in_a_later_bronze_date(tmp_path: Path) -> None:
    land_page(tmp_path, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT[:2])
    run(tmp_path, "silver")
    # fetched a day later (a backfill): lands under date=2026-11-23 but belongs to 11-21/11-22
    land_page(tmp_path, "BTC-USD", "2026-11-23T09:00:00Z", MIDNIGHT)
    summary = run(tmp_path, "silver")[0]
    rows = _silver(tmp_path)
    assert [r["trade_id"] for r in rows] == [1001, 1002, 1003, 1004]
    assert summary.objects_read == 1
    assert summary.rows_deduped == 2
    assert sorted({str(r["date"]) for r in rows}) == ["2026-11-21", "2026-11-22"]


@pytest.mark.parametrize("layout", ["pretty", "crlf", "trailing_newline"])
def test_a_body_with_line_breaks_gives_the_rows_of_the_same_body_on_one_line(
    tmp_path: Path, layout: str
) -> None:
    compact, spaced = tmp_path / "compact", tmp_path / "spaced"
    land_page(compact, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT)
    land_page(spaced, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT, layout=layout)
    assert b"\n" in next(spaced.rglob("*.json")).read_bytes()[:-1]  # a break inside the object
    run(compact, "silver")
    run(spaced, "silver")
    rows = _silver(spaced)
    assert [r["trade_id"] for r in rows] == [1001, 1002, 1003, 1004]
    assert rows == _silver(compact)
    assert read_table(spaced, "quarantine/trades", "bronze_key") == []


def test_products_are_kept_apart_even_with_equal_trade_ids(tmp_path: Path) -> None:
    for product in ("BTC-USD", "ETH-USD", "SOL-USD", "ETH-EUR"):
        land_page(tmp_path, product, "2026-11-22T01:00:05Z", MIDNIGHT)
    run(tmp_path, "silver")
    rows = _silver(tmp_path)
    assert len(rows) == 16
    assert sorted({r["product_id"] for r in rows}) == ["BTC-USD", "ETH-EUR", "ETH-USD", "SOL-USD"]


def test_an_empty_lake_and_an_empty_page_write_nothing(tmp_path: Path) -> None:
    summaries = run(tmp_path)
    assert all(not s.changed for s in summaries)
    land_page(
        tmp_path,
        "BTC-USD",
        "2026-11-22T01:00:05Z",
        [],
        key="bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-11-22/empty.json",
    )
    summaries = run(tmp_path)
    assert summaries[0].objects_read == 1
    assert summaries[0].rows_written == 0
    assert list(tmp_path.rglob("*.parquet")) == []


GOOD = {
    "time": "2026-11-22T10:00:00.5Z",
    "trade_id": 7,
    "price": "100.5",
    "size": "1.0",
    "side": "buy",
}


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"price": "0"}, "bad_price"),
        ({"price": "-1.00"}, "bad_price"),
        ({"price": "abc"}, "bad_price"),
        ({"size": "0.00000000"}, "bad_size"),
        ({"size": "-0.1"}, "bad_size"),
        ({"time": "not-a-time"}, "bad_trade_time"),
        ({"time": "infinity"}, "bad_trade_time"),
        ({"side": "hold"}, "unknown_side"),
        ({"side": None}, "unknown_side"),
        ({"trade_id": None}, "missing_trade_id"),
        ({"trade_id": "x12"}, "missing_trade_id"),
    ],
    ids=str,
)
def test_each_rule_sends_the_row_to_quarantine_and_never_to_silver(
    tmp_path: Path, change: dict[str, object], rule: str
) -> None:
    bad = {**GOOD, **change, "trade_id": change.get("trade_id", 8)}
    bad = {k: v for k, v in bad.items() if v is not None}
    key = land_page(
        tmp_path,
        "BTC-USD",
        "2026-11-22T10:00:05Z",
        [GOOD, bad],
        key="bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-11-22/p.json",
    )
    summary = run(tmp_path, "silver")[0]
    assert [r["trade_id"] for r in _silver(tmp_path)] == [7]
    quarantined = read_table(tmp_path, "quarantine/trades", "rule")
    assert [(q["rule"], q["bronze_key"]) for q in quarantined] == [(rule, key)]
    assert quarantined[0]["date"] == date(2026, 11, 22)
    assert quarantined[0]["price_raw"] == bad.get("price")
    assert summary.rows_quarantined == 1


def test_an_unparsable_response_is_quarantined_whole_with_its_reason(tmp_path: Path) -> None:
    land_page(tmp_path, "BTC-USD", "2026-11-22T10:00:05Z", MIDNIGHT)
    key = land_unparsable(tmp_path, "BTC-USD", "2026-11-22T10:01:00Z")
    summary = run(tmp_path, "silver")[0]
    assert len(_silver(tmp_path)) == 4
    quarantined = read_table(tmp_path, "quarantine/trades", "rule")
    assert [(q["rule"], q["detail"], q["bronze_key"]) for q in quarantined] == [
        ("unparsable_response", "truncated JSON", key)
    ]
    assert summary.objects_unparsable == 1
    assert summary.objects_read == 2
