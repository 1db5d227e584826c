"""DuckDB views over a local lake: names, types, partition pruning, empty tables, errors."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import coinlake
from coinlake.errors import ConfigError, QueryFailedError
from coinlake.query.explain import scan_stats
from coinlake.query.sample import SampleLake
from coinlake.query.views import run_sql
from coinlake.tables.catalog import sql_tables

pytestmark = pytest.mark.integration


def test_every_table_is_a_view_named_like_athenas(sample_lake: tuple[Path, SampleLake]) -> None:
    root, _ = sample_lake
    con = coinlake.connect(root)
    names = {
        name
        for (name,) in con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'coinlake'"
        ).fetchall()
    }
    assert names == {spec.name for spec in sql_tables()}


def test_silver_and_gold_views_return_exactly_what_was_written(
    sample_lake: tuple[Path, SampleLake],
) -> None:
    root, lake = sample_lake
    con = coinlake.connect(root)
    (count, size) = con.execute(
        "SELECT count(*), sum(size) FROM coinlake.silver_trades"
    ).fetchall()[0]
    assert count == len(lake.trades)
    assert size == sum(t["size"] for t in lake.trades)
    rows = [
        tuple(row.values())
        for row in run_sql(
            con,
            "SELECT product_id, hour, vwap, notional, missing_trade_ids "
            "FROM coinlake.gold_trades_hourly ORDER BY product_id, hour",
        ).to_pylist()
    ]
    expected = [
        (r["product_id"], r["hour"], r["vwap"], r["notional"], r["missing_trade_ids"])
        for r in lake.hourly
    ]
    assert rows == expected
    assert sum(r[4] for r in rows) > 0  # the sample has gaps


def test_columns_have_the_documented_types_and_partition_keys_come_last(
    sample_lake: tuple[Path, SampleLake],
) -> None:
    root, _ = sample_lake
    con = coinlake.connect(root)
    described = con.sql("DESCRIBE coinlake.silver_trades").fetchall()
    types = {name: type_ for name, type_, *_ in described}
    assert types["price"] == "DECIMAL(18,8)"
    assert types["trade_time"] == "TIMESTAMP WITH TIME ZONE"
    assert types["date"] == "DATE"
    assert [name for name, *_ in described][-2:] == ["product_id", "date"]


def test_a_partition_filter_reads_only_the_matching_folder(
    sample_lake: tuple[Path, SampleLake],
) -> None:
    root, _ = sample_lake
    con = coinlake.connect(root)
    everything = scan_stats(con, "SELECT sum(size) FROM coinlake.silver_trades")
    one = scan_stats(
        con,
        "SELECT sum(size) FROM coinlake.silver_trades "
        "WHERE product_id = 'BTC-USD' AND date = DATE '2026-01-01'",
    )
    assert (everything.files_scanned, everything.files_total) == (4, 4)
    assert (one.files_scanned, one.files_total) == (1, 4)
    assert 0 < one.bytes_read < everything.bytes_read


def test_tables_without_files_are_empty_views_with_their_columns(tmp_path: Path) -> None:
    con = coinlake.connect(tmp_path)
    assert con.execute("SELECT count(*) FROM coinlake.gold_trades_hourly").fetchall()[0] == (0,)
    columns = [row[0] for row in con.sql("DESCRIBE coinlake.silver_prices").fetchall()]
    assert columns[:2] == ["vs_currency", "price"]
    assert columns[-2:] == ["coin_id", "date"]


def test_a_sql_error_is_one_query_failed_line(tmp_path: Path) -> None:
    con = coinlake.connect(tmp_path)
    with pytest.raises(QueryFailedError) as info:
        run_sql(con, "SELECT nope FROM coinlake.silver_trades")
    assert "\n" not in str(info.value)
    assert "nope" in str(info.value)


def test_a_missing_lake_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        coinlake.connect(tmp_path / "absent")


def test_importing_coinlake_does_not_import_duckdb() -> None:
    code = "import sys, coinlake, coinlake.cli.main; print('duckdb' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_decimal_sums_stay_exact(sample_lake: tuple[Path, SampleLake]) -> None:
    root, lake = sample_lake
    con = coinlake.connect(root)
    total = run_sql(con, "SELECT sum(notional) AS n FROM coinlake.gold_trades_hourly")
    assert total.column("n").to_pylist() == [sum((r["notional"] for r in lake.hourly), Decimal(0))]


def test_python_rows_carry_utc_aware_times(sample_lake: tuple[Path, SampleLake]) -> None:
    root, lake = sample_lake
    con = coinlake.connect(root)
    (first,) = con.execute("SELECT min(trade_time) FROM coinlake.silver_trades").fetchall()[0]
    assert first == min(t["trade_time"] for t in lake.trades)
    assert first.utcoffset().total_seconds() == 0
