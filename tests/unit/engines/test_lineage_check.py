"""Which queries the DuckDB engine describes to find a lineage column to write as an ENUM.

A query that neither names `bronze_key` nor selects `*` cannot carry it; every other query is
described. A wrong "cannot" would only lose the ENUM's memory saving, never a row, but the test
keeps the check honest on the project's own queries.
"""

from __future__ import annotations

import pytest

from coinlake.engines.duckdb import may_carry_lineage
from coinlake.engines.duckdb_dialect import to_duckdb
from coinlake.tables import catalog
from coinlake.tables.silver.trades import TABLE as TRADES
from coinlake.transform import sqlbuild


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * FROM staged", True),
        ("SELECT DISTINCT * FROM staged", True),
        ("SELECT c.* FROM staged AS c", True),
        ("SELECT a, * FROM staged", True),
        ("SELECT BRONZE_KEY FROM staged", True),
        ("SELECT COUNT(*) AS n FROM staged", False),
        ("SELECT SUM(price * size) AS notional FROM staged", False),
        ("SELECT product_id, trade_id FROM staged", False),
    ],
)
def test_queries_that_may_carry_the_lineage_column(query: str, expected: bool) -> None:
    assert may_carry_lineage(query) is expected


def test_the_silver_writes_are_described_and_the_gold_writes_are_not() -> None:
    kept = sqlbuild.build_kept_sql(TRADES, "dedup_repeated", "dedup_winners", "staged_rows")
    assert may_carry_lineage(to_duckdb(kept))
    assert may_carry_lineage(to_duckdb(sqlbuild.build_dedup_sql(TRADES, "staged_rows")))
    assert may_carry_lineage(to_duckdb(sqlbuild.build_quarantine_sql(TRADES)))
    for gold in catalog.gold_tables():
        assert not any(c.name == "bronze_key" for c in gold.all_columns)
        assert not may_carry_lineage(to_duckdb(gold.sql)), gold.name
        assert not may_carry_lineage(to_duckdb(sqlbuild.build_gold_merge_sql(gold, [])))
