"""The parity fingerprint: blind to row order and file layout, not to any changed row."""

from __future__ import annotations

from pathlib import Path

import duckdb
from bench.fingerprint import differences, table_fingerprint

COLUMNS = (("product_id", ""), ("hour", "timestamp"), ("trade_count", ""), ("vwap", ""))
ROWS = [
    ("BTC-USD", "2026-11-22 10:00:00+00", 3, "1.50000000"),
    ("BTC-USD", "2026-11-22 11:00:00+00", 4, "2.25000000"),
    ("ETH-USD", "2026-11-22 10:00:00+00", 5, None),
]


def _write(folder: Path, rows: list[tuple[object, ...]], partition_by: str | None) -> Path:
    """`rows` as a Parquet table under `folder`, partitioned by `partition_by` (a folder per
    value, the column only in the folder names) or one file per row."""
    folder.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t (product_id VARCHAR, hour TIMESTAMPTZ, trade_count BIGINT, "
        "vwap DECIMAL(18, 8))"
    )
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    if partition_by:
        con.execute(f"COPY t TO '{folder}' (FORMAT parquet, PARTITION_BY ({partition_by}))")
    else:
        for n, row in enumerate(rows):
            con.execute("CREATE OR REPLACE TABLE one AS SELECT * FROM t LIMIT 0")
            con.execute("INSERT INTO one VALUES (?, ?, ?, ?)", row)
            con.execute(f"COPY one TO '{folder}/part-{n}.parquet' (FORMAT parquet)")
    con.close()
    return folder


def _fingerprint(folder: Path) -> dict[str, object]:
    return {"t": table_fingerprint(folder, COLUMNS)}


def test_the_same_rows_in_another_order_and_layout_have_the_same_fingerprint(
    tmp_path: Path,
) -> None:
    by_product = _write(tmp_path / "a", ROWS, "product_id")
    per_row = _write(tmp_path / "b", list(reversed(ROWS)), None)
    ours, theirs = _fingerprint(by_product), _fingerprint(per_row)
    assert ours == theirs
    assert differences(ours, theirs) == []


def test_a_changed_value_is_found_and_its_column_named(tmp_path: Path) -> None:
    changed = [*ROWS[:2], ("ETH-USD", "2026-11-22 10:00:00+00", 5, "0.00000001")]
    ours = _fingerprint(_write(tmp_path / "a", ROWS, None))
    theirs = _fingerprint(_write(tmp_path / "b", changed, None))
    assert differences(ours, theirs) == ["t: row content differs; columns that differ: vwap"]


def test_values_moved_between_rows_are_found(tmp_path: Path) -> None:
    swapped = [
        ("BTC-USD", "2026-11-22 10:00:00+00", 4, "1.50000000"),
        ("BTC-USD", "2026-11-22 11:00:00+00", 3, "2.25000000"),
        ROWS[2],
    ]
    ours = _fingerprint(_write(tmp_path / "a", ROWS, None))
    theirs = _fingerprint(_write(tmp_path / "b", swapped, None))
    assert differences(ours, theirs) == [
        "t: row content differs; columns that differ: none alone (values moved between rows)"
    ]


def test_a_repeated_or_lost_row_is_found(tmp_path: Path) -> None:
    ours = _fingerprint(_write(tmp_path / "a", ROWS, None))
    repeated = _fingerprint(_write(tmp_path / "b", [*ROWS, ROWS[0]], None))
    lost = _fingerprint(_write(tmp_path / "c", ROWS[1:], None))
    assert differences(repeated, ours)[0] == "t: 4 rows, reference 3"
    assert differences(lost, ours)[0] == "t: 2 rows, reference 3"
    assert differences({}, ours) == ["t: missing"]
