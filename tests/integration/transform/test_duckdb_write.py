"""DuckDB's partitioned write given the partitions its rows lie in: one `COPY` per partition.

The result must be the one the partitioned `COPY` gives (same folders, same rows, `part-*`
files without the partition columns), a partition that gets no row gets no file, and values a
filter could not find (NULL, text that is not plain) fall back to the partitioned `COPY`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from coinlake.engines.duckdb import DuckDBEngine
from coinlake.engines.duckdb_copies import SPLIT_PARTITIONS
from coinlake.errors import QueryFailedError

pytestmark = pytest.mark.integration

ROWS = """
SELECT * FROM (VALUES
  ('BTC-USD', DATE '2026-11-22', 1, 'a'),
  ('BTC-USD', DATE '2026-11-22', 2, 'b'),
  ('BTC-USD', DATE '2026-11-23', 3, 'c'),
  ('ETH-USD', DATE '2026-11-22', 4, 'd'),
  (NULL, DATE '2026-11-22', 5, 'e')
) AS t(product_id, `date`, trade_id, side)
"""


def _written(folder: Path) -> list[tuple[str, str, int, str]]:
    """(folder below `folder`, file name prefix, trade_id, side) of every row written."""
    found = []
    for path in sorted(folder.rglob("*.parquet")):
        rows = duckdb.sql(
            f"SELECT trade_id, side FROM read_parquet('{path}', hive_partitioning=false)"
        ).fetchall()
        where = str(path.parent.relative_to(folder))
        found += [(where, path.name[:5], int(t), str(s)) for t, s in rows]
    return sorted(found)


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    made = DuckDBEngine(threads=2, memory_limit="256MB")
    yield made
    made.close()


def test_each_partition_written_alone_gives_what_the_partitioned_copy_gives(
    engine: DuckDBEngine, tmp_path: Path
) -> None:
    parts = ["product_id", "date"]
    sql = f"SELECT * FROM ({ROWS}) WHERE product_id IS NOT NULL"
    all_at_once = engine.write_partitioned(sql, str(tmp_path), "whole", parts)
    touched = [
        "product_id=BTC-USD/date=2026-11-22",
        "product_id=BTC-USD/date=2026-11-23",
        "product_id=ETH-USD/date=2026-11-22",
        "product_id=ETH-USD/date=2026-11-23",  # gets no row: no file
    ]
    one_by_one = engine.write_partitioned(sql, str(tmp_path), "split", parts, partitions=touched)
    assert all_at_once == one_by_one == 4
    assert _written(tmp_path / "split") == _written(tmp_path / "whole")
    assert {w[0] for w in _written(tmp_path / "split")} == set(touched[:3])
    assert {w[1] for w in _written(tmp_path / "split")} == {"part-"}
    assert not (tmp_path / "split" / touched[3]).exists()


def test_a_null_or_unusual_partition_value_falls_back_to_the_partitioned_copy(
    engine: DuckDBEngine, tmp_path: Path
) -> None:
    parts = ["product_id", "date"]
    whole = engine.write_partitioned(ROWS, str(tmp_path), "whole", parts)
    touched = [
        "product_id=BTC-USD/date=2026-11-22",
        "product_id=BTC-USD/date=2026-11-23",
        "product_id=ETH-USD/date=2026-11-22",
        "product_id=None/date=2026-11-22",  # the NULL product: a filter would find no row
    ]
    split = engine.write_partitioned(ROWS, str(tmp_path), "split", parts, partitions=touched)
    assert whole == split == 5
    assert _written(tmp_path / "split") == _written(tmp_path / "whole")


def test_a_write_touching_many_partitions_keeps_every_row_in_its_folder(
    engine: DuckDBEngine, tmp_path: Path
) -> None:
    sql = "SELECT i % 80 AS bucket, i AS trade_id, 'x' AS side FROM range(800) AS r(i)"
    many = [f"bucket={n}" for n in range(80)]
    assert len(many) > SPLIT_PARTITIONS
    assert engine.write_partitioned(sql, str(tmp_path), "out", ["bucket"], partitions=many) == 800
    files = list((tmp_path / "out").rglob("*.parquet"))
    assert len(files) == 80
    assert {f.parent.name for f in files} == set(many)


def test_partitions_written_side_by_side_fail_the_write_when_one_fails(
    engine: DuckDBEngine, tmp_path: Path
) -> None:
    sql = (
        "SELECT i % 6 AS bucket, CASE WHEN i % 6 = 4 THEN CAST(error('bad row') AS BIGINT) "
        "ELSE i END AS trade_id FROM range(60) AS r(i)"
    )
    touched = [f"bucket={n}" for n in range(6)]
    with pytest.raises(QueryFailedError, match="bad row"):
        engine.write_partitioned(sql, str(tmp_path), "out", ["bucket"], partitions=touched)
    good = "SELECT i % 6 AS bucket, i AS trade_id FROM range(60) AS r(i)"
    assert (
        engine.write_partitioned(good, str(tmp_path), "again", ["bucket"], partitions=touched) == 60
    )


def test_partitions_written_side_by_side_read_times_in_utc(
    engine: DuckDBEngine, tmp_path: Path
) -> None:
    engine._con.execute("SET GLOBAL TimeZone = 'America/New_York'")  # a new cursor's default
    sql = (
        "SELECT i AS bucket, CAST(TIMESTAMP '2026-11-30 00:30:00+00' "
        "AS VARCHAR) AS wall_clock FROM range(2) AS r(i)"
    )
    touched = ["bucket=0", "bucket=1"]
    assert engine.write_partitioned(sql, str(tmp_path), "out", ["bucket"], partitions=touched) == 2
    clocks = duckdb.sql(f"SELECT wall_clock FROM read_parquet('{tmp_path}/out/*/*.parquet')")
    assert {row[0] for row in clocks.fetchall()} == {"2026-11-30 00:30:00+00"}
