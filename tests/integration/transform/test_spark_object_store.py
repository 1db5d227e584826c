"""Spark writing through the lake's `ObjectStore` (its staging, moves and state) gives the same
lake as DuckDB; the store operations themselves are tested on both backends in
`tests/integration/storage/test_object_store.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coinlake.engines.spark import SparkEngine
from coinlake.storage.local import LocalStore
from coinlake.transform.runner import run_transform
from tests.integration.transform.helpers import MIDNIGHT_PAGE, lake_snapshot, land_page, run, trades


@pytest.mark.integration
@pytest.mark.spark
def test_spark_through_the_object_store_equals_duckdb(spark: Any, tmp_path: Path) -> None:
    for root in (tmp_path / "store", tmp_path / "local"):
        land_page(root, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT_PAGE)
    engine = SparkEngine(spark)
    try:
        summaries = run_transform(LocalStore(tmp_path / "store"), engine)
    finally:
        engine.close()
    assert trades(summaries).rows_written == 2
    run(tmp_path / "local")
    assert lake_snapshot(tmp_path / "store") == lake_snapshot(tmp_path / "local")
    assert not list((tmp_path / "store").glob("_staging/**/*.parquet"))
