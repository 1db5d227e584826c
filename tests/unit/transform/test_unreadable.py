"""Which Bronze bytes are not a readable envelope, and the staged rows that quarantine them."""

from __future__ import annotations

from datetime import date

import pytest
import sqlglot
from sqlglot import exp

from coinlake.tables.silver.trades import TABLE as SILVER_TRADES
from coinlake.transform.sqlbuild import build_unreadable_sql, staged_columns
from coinlake.transform.unreadable import Unreadable, fetch_date_of, why_unreadable

ENVELOPE = b'{"meta": {"product": "BTC-USD"},\r\n "body": [\n]\n}\n'


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "missing"),
        (b"", "empty object"),
        (b" \n", "empty object"),
        (ENVELOPE[:20], "not JSON ("),
        (b"<html>502</html>", "not JSON ("),
        (b'{"meta": 1}', "not a coinlake envelope"),
        (b"[1, 2]", "not a coinlake envelope"),
        (b'{"meta": {"a": "\xff"}}', "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
    ],
    ids=["missing", "empty", "blank", "truncated", "html", "meta", "array", "latin1", "deep"],
)
def test_bytes_that_are_no_envelope_say_why(data: bytes | None, reason: str) -> None:
    found = why_unreadable(data)
    assert found is not None
    assert found.startswith(reason)


def test_an_envelope_with_any_whitespace_is_readable() -> None:
    assert why_unreadable(ENVELOPE) is None


@pytest.mark.parametrize(
    ("key", "day"),
    [
        ("bronze/source=coinbase/dataset=trades/product=X-Y/date=2026-11-22/a.json", "2026-11-22"),
        (
            "bronze/source=coingecko/dataset=simple_price/year=2026/month=01/day=31/a.json",
            "2026-01-31",
        ),
        ("bronze/source=coinbase/dataset=trades/stray.json", "1970-01-01"),
        ("bronze/source=coinbase/dataset=trades/date=2026-13-45/a.json", "1970-01-01"),
    ],
)
def test_the_fetch_date_comes_from_the_key(key: str, day: str) -> None:
    assert fetch_date_of(key) == date.fromisoformat(day)


def test_the_quarantine_rows_fill_key_reason_and_fetch_date_and_escape_quotes() -> None:
    found = [
        Unreadable("bronze/a.json", "not JSON ('x' \\ y)", date(2026, 11, 22)),
        Unreadable("bronze/b.json", "empty object", date(2026, 11, 23)),
    ]
    tree = sqlglot.parse_one(build_unreadable_sql(SILVER_TRADES, found), read="spark")
    assert isinstance(tree, exp.Union)
    first = tree.left
    assert isinstance(first, exp.Select)
    assert first.named_selects == [c.name for c in staged_columns(SILVER_TRADES)]
    values = {e.alias: e.this for e in first.expressions}
    assert values["rule"].this == "unreadable_object"
    assert values["detail"].this == "not JSON ('x' \\ y)"
    assert values["bronze_key"].this == "bronze/a.json"
    assert values["ingested_at"].sql("spark") == "CAST('2026-11-22 00:00:00' AS TIMESTAMP)"
    assert isinstance(values["trade_id"], exp.Cast)
