"""A Bronze object that cannot be read is quarantined whole; the rest of the batch proceeds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coinlake.app.query import status
from coinlake.cli.main import app
from coinlake.config import Settings
from tests.integration.transform.helpers import T, land_page, read_table, run

pytestmark = pytest.mark.integration

GOOD = [
    T(1001, "2026-11-22T00:00:01Z", "10", "1", "buy"),
    T(1002, "2026-11-22T00:00:02Z", "11", "1", "sell"),
]
LATER = [T(2001, "2026-11-22T01:00:00Z", "12", "1", "buy")]


def _damaged_lake(root: Path) -> dict[str, str]:
    """A good page, a page cut in half after it landed, and an HTML file in a Bronze folder."""
    land_page(root, "BTC-USD", "2026-11-22T00:05:00Z", GOOD)
    cut = land_page(root, "BTC-USD", "2026-11-22T02:05:00Z", LATER)
    data = (root / cut).read_bytes()
    (root / cut).write_bytes(data[: len(data) // 2])
    html = "bronze/source=coinbase/dataset=trades/product=ETH-USD/date=2026-11-23/oops.json"
    (root / html).parent.mkdir(parents=True)
    (root / html).write_bytes(b"<html>502 Bad Gateway</html>")
    return {"cut": cut, "html": html}


def test_unreadable_objects_go_to_quarantine_with_key_and_reason_and_the_rest_proceeds(
    tmp_path: Path,
) -> None:
    keys = _damaged_lake(tmp_path)
    summaries = {s.table: s for s in run(tmp_path)}
    trades = summaries["silver.trades"]
    assert trades.objects_unreadable == 2
    assert trades.rows_in == 2
    silver = read_table(tmp_path, "silver/trades", "trade_id")
    assert [r["trade_id"] for r in silver] == [1001, 1002]
    assert sum(r["trade_count"] for r in read_table(tmp_path, "gold/trades_hourly", "hour")) == 2
    quarantined = read_table(tmp_path, "quarantine/trades", "bronze_key")
    assert [(r["rule"], r["bronze_key"]) for r in quarantined] == [
        ("unreadable_object", keys["cut"]),
        ("unreadable_object", keys["html"]),
    ]
    assert quarantined[0]["detail"].startswith("not JSON (")
    assert "truncated?" in quarantined[0]["detail"]
    # filed under the fetch date of its key (the envelope's own time is in the damaged bytes)
    assert quarantined[0]["ingested_at"] == datetime(2026, 11, 22, tzinfo=UTC)
    assert str(quarantined[1]["date"]) == "2026-11-23"


def test_a_later_run_does_not_trip_on_them_again(tmp_path: Path) -> None:
    _damaged_lake(tmp_path)
    run(tmp_path)
    land_page(
        tmp_path, "BTC-USD", "2026-11-22T03:05:00Z", [T(3001, "2026-11-22T03:00:00Z", "9", "1")]
    )
    trades = {s.table: s for s in run(tmp_path)}["silver.trades"]
    # the new trade is appended beside the two already in its partition (one row written)
    assert (trades.objects_read, trades.objects_unreadable, trades.rows_written) == (1, 0, 1)
    assert len(read_table(tmp_path, "silver/trades", "trade_id")) == 3
    assert len(read_table(tmp_path, "quarantine/trades", "bronze_key")) == 2


def test_status_lists_each_unreadable_object_and_check_fails(tmp_path: Path) -> None:
    keys = _damaged_lake(tmp_path)
    run(tmp_path)
    report = status(Settings(lake=str(tmp_path)), now=datetime(2026, 11, 22, 4, tzinfo=UTC))
    assert sorted(report.unreadable) == sorted(keys.values())
    assert report.unreadable[keys["html"]].startswith("not JSON (")
    problems = report.problems(max_lag_minutes=1e9, max_gaps=10**9)
    assert any("2 Bronze objects cannot be read" in p for p in problems)
    result = CliRunner().invoke(app, ["--lake", str(tmp_path), "status"])
    assert result.exit_code == 0, result.output
    assert "bronze objects that cannot be read: 2" in result.output
    assert keys["cut"] in result.output.replace("\n", "")
