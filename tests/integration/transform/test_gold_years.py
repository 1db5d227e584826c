"""Gold `trades_hourly` in year partitions: a new page re-reads only its Silver hours (or days,
after a rewrite) and merges them into the year; a lake in the old daily layout is rebuilt by the
next run."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from coinlake.storage.layout import bookmark_key
from coinlake.transform.runner import TableSummary
from tests.integration.transform.helpers import (
    T,
    gold_by_key,
    land_page,
    read_table,
    reference_gold,
    run,
)

pytestmark = pytest.mark.integration

YEAR = "gold/trades_hourly/product_id=BTC-USD/year=2026"


def _gold(summaries: list[TableSummary]) -> TableSummary:
    (found,) = [s for s in summaries if s.table == "gold.trades_hourly"]
    return found


def _count(root: Path, folder: str) -> int:
    sql = f"SELECT count(*) FROM read_parquet('{root}/{folder}/*.parquet')"
    return int(duckdb.sql(sql).fetchall()[0][0])


def _three_days(root: Path) -> None:
    land_page(
        root,
        "BTC-USD",
        "2026-11-22T12:00:00Z",
        [
            T(2001, "2026-11-20T10:00:00Z", "90000.00", "0.10000000", "buy"),
            T(2002, "2026-11-20T10:30:00Z", "90010.00", "0.20000000", "sell"),
            T(2003, "2026-11-21T05:00:00Z", "90100.00", "0.30000000", "buy"),
            T(2004, "2026-11-22T11:00:00Z", "90200.00", "0.40000000", "sell"),
        ],
    )


def test_a_year_is_one_partition_with_the_day_as_a_column(tmp_path: Path) -> None:
    _three_days(tmp_path)
    run(tmp_path)
    assert [p.name for p in (tmp_path / "gold/trades_hourly/product_id=BTC-USD").iterdir()] == [
        "year=2026"
    ]
    assert len(list((tmp_path / YEAR).glob("*.parquet"))) == 1
    gold = read_table(tmp_path, "gold/trades_hourly", "hour")
    assert [str(r["date"]) for r in gold] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    assert {str(r["year"]) for r in gold} == {"2026"}


def test_a_new_page_reads_only_its_silver_hour_and_merges_it_into_the_year(
    tmp_path: Path,
) -> None:
    _three_days(tmp_path)
    run(tmp_path)
    land_page(
        tmp_path,
        "BTC-USD",
        "2026-11-22T13:00:00Z",
        [T(2005, "2026-11-22T12:10:00Z", "90300.00", "1.00000000", "buy")],
    )
    gold = _gold(run(tmp_path))
    day = "silver/trades/product_id=BTC-USD/date=2026-11-22"
    assert _count(tmp_path, day) == 2
    assert gold.rows_in == 1  # the appended page's hour, not its day's 2 rows nor the year's 5
    assert gold.partitions_rewritten == 1
    assert gold.rows_written == _count(tmp_path, YEAR) == 4  # hours 20/10, 21/05, 22/11, 22/12
    silver = read_table(tmp_path, "silver/trades", "product_id, trade_id")
    assert gold_by_key(read_table(tmp_path, "gold/trades_hourly", "hour")) == reference_gold(silver)


def test_a_lake_in_the_daily_layout_is_rebuilt_in_years_by_the_next_run(tmp_path: Path) -> None:
    _three_days(tmp_path)
    run(tmp_path)
    expected = read_table(tmp_path, "gold/trades_hourly", "hour")
    # What a lake written before the year layout holds: day folders, recorded in the bookmark.
    (year_file,) = (tmp_path / YEAR).glob("*.parquet")
    old = tmp_path / "gold/trades_hourly/product_id=BTC-USD/date=2026-11-20/part-0.parquet"
    old.parent.mkdir(parents=True)
    year_file.rename(old)
    (tmp_path / YEAR).rmdir()
    path = tmp_path / bookmark_key("gold.trades_hourly")
    document = json.loads(path.read_text())
    document["files"] = {old.relative_to(tmp_path).as_posix(): [old.stat().st_size, "0" * 64]}
    path.write_text(json.dumps(document))
    land_page(
        tmp_path,
        "BTC-USD",
        "2026-11-22T13:00:00Z",
        [T(2005, "2026-11-22T12:10:00Z", "90300.00", "1.00000000", "buy")],
    )
    gold = _gold(run(tmp_path))
    assert gold.full_refresh
    assert not old.parent.exists()
    rows = read_table(tmp_path, "gold/trades_hourly", "hour")
    assert rows[:-1] == expected
    assert rows[-1]["trade_count"] == 1
