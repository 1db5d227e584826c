"""The query benchmark on a small Gold lake: every query answers, warm and cold, with its bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import query_bench

from coinlake.query.analytics import QUERIES
from coinlake.query.sample import write_gold_year

pytestmark = pytest.mark.integration


def test_every_query_is_timed_warm_and_cold_with_the_bytes_it_read(tmp_path: Path) -> None:
    # 70 days from 2025-01-01 reach 2025-03-11: the bench's day (2025-03-01) and 11 days of
    # its month
    written = write_gold_year(tmp_path, ("BTC-USD", "ETH-USD"), days=70)
    assert written["partitions"] == 2  # one year partition per product
    report = query_bench.run(tmp_path, runs=2)
    assert report["gold_files"] == 2
    assert report["cache_dropped"] is True
    queries = report["queries"]
    assert isinstance(queries, dict)
    assert set(queries) == set(QUERIES)
    for name, q in queries.items():
        assert q["median_ms"] > 0 and q["cold_median_ms"] > 0, name
        assert q["duckdb_bytes_read"] > 0, name
    assert queries["one_day"]["rows_out"] == 24
    assert queries["latest_hour"]["rows_out"] == 2
    assert queries["hourly_vwap"]["rows_out"] == 11 * 24  # 2025-03-01..11 of BTC-USD
    # filtered queries count only BTC-USD's partition; the others the whole table
    assert queries["one_day"]["partition_files"] == 1
    assert queries["daily_volume"]["partition_files"] == 2


def test_dropping_the_page_cache_needs_no_privileges(tmp_path: Path) -> None:
    target = tmp_path / "a.parquet"
    target.write_bytes(b"x" * 10_000)
    assert query_bench.drop_cache([target]) is True
    assert target.read_bytes() == b"x" * 10_000
