"""The benchmark's Gold oracle: exact values only, and a repeated hour is a difference."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from bench.parity import COLUMNS, gold_differences

ROW = {
    **dict.fromkeys(COLUMNS, "CAST(1 AS BIGINT)"),
    **{c: "CAST(1.5 AS DECIMAL(38, 8))" for c in ("avg_price", "vwap", "open", "high", "low")},
}


def _table(folder: Path, rows: list[dict[str, str]]) -> Path:
    folder.mkdir(parents=True)
    selects = " UNION ALL ".join(
        "SELECT 'BTC-USD' AS product_id, TIMESTAMPTZ '2026-11-22 10:00:00+00' AS hour, "
        + ", ".join(f"{row[c]} AS {c}" for c in COLUMNS)
        for row in rows
    )
    con = duckdb.connect()
    con.execute(f"COPY ({selects}) TO '{folder}/part-0.parquet' (FORMAT parquet)")
    con.close()
    return folder


def test_identical_tables_have_no_difference(tmp_path: Path) -> None:
    ours, theirs = _table(tmp_path / "a", [ROW]), _table(tmp_path / "b", [ROW])
    assert gold_differences(ours, theirs) == []


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("trade_count", "CAST(1.0 AS DOUBLE)", "1.0"),  # equal once turned into an int
        ("vwap", "CAST(NULL AS DECIMAL(38, 8))", "None"),
    ],
    ids=["float", "null"],
)
def test_a_value_that_is_not_exact_is_a_difference(
    tmp_path: Path, column: str, value: str, shown: str
) -> None:
    ours = _table(tmp_path / "a", [ROW])
    theirs = _table(tmp_path / "b", [{**ROW, column: value}])
    (problem,) = gold_differences(ours, theirs)
    assert f" {column}: " in problem and problem.endswith(f"!= {shown}")


def test_a_repeated_hour_is_a_difference_even_with_equal_values(tmp_path: Path) -> None:
    ours, theirs = _table(tmp_path / "a", [ROW, ROW]), _table(tmp_path / "b", [ROW])
    assert gold_differences(ours, theirs) == [
        "coinlake: ('BTC-USD', '2026-11-22T10:00:00+00:00') appears more than once"
    ]
