"""Tables that fit the terminal and JSON that keeps every digit."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rich.console import Console

from coinlake.cli.ingest import print_summary, summary_json
from coinlake.cli.output import Column, fit_table, print_table
from coinlake.domain.exactjson import json_text
from coinlake.ingest.summary import ItemSummary, RunSummary

COLUMNS = (
    Column("product", key=True),
    Column("status"),
    Column("trades", numeric=True),
    Column("first id", numeric=True, optional=True),
    Column("last id", numeric=True, optional=True),
    Column("note", wrap=True),
)
ROWS = [
    ("BTC-USD", "ok", "123,456", "874002498", "874125953", "walked back to the known trade id"),
    ("ETH-USD", "[red]failed[/]", "0", "-", "-", "cannot connect to coinbase at http://x:1"),
]


def render(width: int, columns: tuple[Column, ...] = COLUMNS, rows: list = ROWS) -> str:  # type: ignore[type-arg]
    console = Console(file=io.StringIO(), width=width)
    print_table(console, columns, rows, title="a title")
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [60, 80, 100, 160])
def test_no_line_is_wider_than_the_terminal_and_keys_and_numbers_are_whole(width: int) -> None:
    text = render(width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "BTC-USD" in text and "ETH-USD" in text
    assert "123,456" in text


def test_optional_columns_go_below_100_columns_and_the_line_under_says_so() -> None:
    narrow, wide = render(99), render(100)
    assert "first id" not in narrow.splitlines()[2]
    assert "not shown at 99 columns: first id, last id" in narrow
    assert "874002498" in wide and "not shown" not in wide


def test_free_text_wraps_instead_of_dropping_other_columns() -> None:
    text = render(70)
    assert "walked back" in text and "known trade id" in text
    assert "123,456" in text


def test_when_even_the_required_columns_do_not_fit_they_go_from_the_right() -> None:
    table, left_out = fit_table(Console(width=20), COLUMNS, ROWS)
    assert [column.header for column in table.columns] == ["product", "status"]
    assert left_out == ["trades", "first id", "last id", "note"]


def test_json_keeps_every_decimal_digit_as_a_number() -> None:
    value = {"price": Decimal("90810.12345678901234567890"), "size": Decimal("0.00000001")}
    moment = datetime(2026, 11, 30, 1, 2, 3, 4, tzinfo=UTC)
    text = json_text({"rows": [value], "at": moment}, indent=2)
    parsed = json.loads(text, parse_float=Decimal)
    assert parsed["rows"] == [value]
    assert '"size": 0.00000001' in text  # a number, not "1E-8" or a string
    assert parsed["at"] == "2026-11-30T01:02:03.000004+00:00"
    assert json_text({"n": [Decimal("1.50"), None]}) == '{"n":[1.50,null]}'  # compact
    assert json.loads(json_text({"empty": [], "nothing": {}, "n": None}, indent=2)) == {
        "empty": [],
        "nothing": {},
        "n": None,
    }


def a_run() -> RunSummary:
    started = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    trades = ItemSummary("BTC-USD", "coinbase", "trades", objects_written=3, pages=3, trades=2400)
    trades.first_id, trades.last_id = 874002498, 874004897
    quotes = ItemSummary("simple_price", "coingecko", "simple_price", pages=1, trades=4)
    return RunSummary("r-1", "ingest", started, [trades, quotes], finished_at=started)


@pytest.mark.parametrize("width", [80, 100, 160])
def test_the_ingest_summary_fits_the_terminal_and_names_its_units(width: int) -> None:
    console = Console(file=io.StringIO(), width=width)
    print_summary(a_run(), console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert max(len(line) for line in text.splitlines()) <= width
    assert "trades BTC-USD" in text and "2,400 trades" in text and "4 quotes" in text


def test_the_ingest_json_names_records_by_their_unit() -> None:
    document = json.loads(json_text(summary_json(a_run()), indent=2))
    assert document["status"] == "succeeded"
    assert [(i["name"], i["records"], i["unit"]) for i in document["items"]] == [
        ("BTC-USD", 2400, "trades"),
        ("simple_price", 4, "quotes"),
    ]
    assert "trades" not in document["items"][0]  # one name for the count: records
