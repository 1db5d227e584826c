"""`StoreLake`: the transforms' Lake on an ObjectStore (local folder and S3 on moto), and a
Spark run through it giving the same lake as DuckDB on a `LocalLake`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coinlake.engines.spark import SparkEngine
from coinlake.storage.base import ObjectStore
from coinlake.storage.local import LocalStore
from coinlake.transform.api import run_transform
from coinlake.transform.store_lake import StoreLake
from tests.integration.transform.helpers import MIDNIGHT_PAGE, lake_snapshot, land_page, run, trades


def test_store_lake_does_what_the_runner_needs(lake_store: ObjectStore) -> None:
    lake = StoreLake(lake_store)
    assert lake.root == lake_store.uri()
    for key in (
        "silver/t/date=2026-11-20/part-1.parquet",
        "silver/t/date=2026-11-21/part-2.parquet",
        "silver/t/date=2026-11-21/_SUCCESS",
        "silver/t/_tmp/part-3.parquet",
        "silver/tx/part-4.parquet",
        "_staging/silver.t/run/table/date=2026-11-22/part-5.parquet",
    ):
        lake_store.put(key, b"x")
    assert lake.list_keys("silver/t", ".parquet") == [
        "silver/t/date=2026-11-20/part-1.parquet",
        "silver/t/date=2026-11-21/part-2.parquet",
    ]
    assert lake.list_keys("_staging/silver.t/run/table") == [
        "_staging/silver.t/run/table/date=2026-11-22/part-5.parquet"
    ]
    assert lake.read_json("_state/x.json") is None
    lake.write_json("_state/x.json", {"b": 1, "a": [1, 2]})
    assert lake.read_json("_state/x.json") == {"a": [1, 2], "b": 1}
    lake.move(
        "_staging/silver.t/run/table/date=2026-11-22/part-5.parquet",
        "silver/t/date=2026-11-22/part-5.parquet",
    )
    assert lake.exists("silver/t/date=2026-11-22/part-5.parquet")
    assert not lake.exists("_staging/silver.t/run/table/date=2026-11-22/part-5.parquet")
    lake.delete("silver/t/date=2026-11-20/part-1.parquet")
    lake.delete("silver/t/date=2026-11-20/part-1.parquet")
    lake.delete_tree("silver/t")
    assert lake.list_keys("silver") == ["silver/tx/part-4.parquet"]
    lake.prune_empty_dirs("silver")


@pytest.mark.integration
@pytest.mark.spark
def test_spark_through_a_store_lake_equals_duckdb_on_a_local_lake(
    spark: Any, tmp_path: Path
) -> None:
    for root in (tmp_path / "store", tmp_path / "local"):
        land_page(root, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT_PAGE)
    engine = SparkEngine(spark)
    try:
        summaries = run_transform(StoreLake(LocalStore(tmp_path / "store")), engine)
    finally:
        engine.close()
    assert trades(summaries).rows_written == 2
    run(tmp_path / "local")
    assert lake_snapshot(tmp_path / "store") == lake_snapshot(tmp_path / "local")
    assert not list((tmp_path / "store").glob("_staging/**/*.parquet"))
