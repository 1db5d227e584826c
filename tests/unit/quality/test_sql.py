"""Literal tables and the results SQL run on DuckDB exactly as written (Spark SQL in)."""

from __future__ import annotations

from datetime import UTC, datetime

from coinlake.engines.duckdb import DuckDBEngine
from coinlake.quality.model import CheckResult
from coinlake.quality.results import results_sql
from coinlake.quality.runner import values_sql


def test_literal_tables_keep_quotes_backslashes_and_types() -> None:
    engine = DuckDBEngine(threads=1)
    try:
        sql = values_sql(
            ["s", "n", "f"], ["string", "bigint", "double"], [["it's a \\ test", 3, 0.5]]
        )
        assert engine.rows(sql) == [("it's a \\ test", 3, 0.5)]
        empty = values_sql(["s"], ["string"], [])
        assert engine.rows(f"SELECT COUNT(*) FROM ({empty}) AS e") == [(0,)]
    finally:
        engine.close()


def test_results_become_rows_of_the_results_table_with_their_date() -> None:
    at = datetime(2026, 11, 22, 23, 59, 59, 123456, tzinfo=UTC)
    row = CheckResult("c", "silver_trades", "product_id=X", "warn", False, 2.5, 1.0, "a,b", "r", at)
    engine = DuckDBEngine(threads=1)
    try:
        (got,) = engine.rows(results_sql([row]))
    finally:
        engine.close()
    assert got[:9] == ("c", "silver_trades", "product_id=X", "warn", False, 2.5, 1.0, "a,b", "r")
    assert got[9] == at
    assert str(got[10]) == "2026-11-22"
