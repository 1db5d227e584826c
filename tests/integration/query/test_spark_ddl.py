"""The generated Hive DDL runs in Spark SQL, MSCK REPAIR finds the partitions, and Spark gives the
same answers as DuckDB for the analytic queries (transpiled from the same text with sqlglot).

The lake is built the real way: generated Bronze trade pages, then the DuckDB transform."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import coinlake
from coinlake.app.transform import make_engine
from coinlake.devtools.bronze_pages import PageSpec, write_trade_pages
from coinlake.query.analytics import QUERIES, analytic_query, transpile
from coinlake.query.ddl import DdlOptions, build_ddl, split_statements
from coinlake.query.views import run_sql
from coinlake.storage.local import LocalStore
from coinlake.tables.catalog import sql_tables
from coinlake.transform.runner import run_transform

pytestmark = [pytest.mark.integration, pytest.mark.spark]


def _normal(value: Any) -> Any:
    # PySpark hands TimestampType back as naive local time; DuckDB as aware UTC.
    if isinstance(value, datetime):
        aware = value.astimezone(UTC) if value.tzinfo is None else value
        return aware.astimezone(UTC)
    return value


@pytest.fixture(scope="module")
def lakes(spark_hive: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Path]:
    root = tmp_path_factory.mktemp("spark_lake")
    write_trade_pages(root, PageSpec(trades=30_000, days=2.5, bad_row_rate=0.001))
    run_transform(LocalStore(root), make_engine("duckdb"))
    options = DdlOptions(location=root.resolve().as_uri(), projection=False)
    for statement in split_statements(build_ddl(options)):
        spark_hive.sql(statement)
    return spark_hive, coinlake.connect(root), root


def test_msck_repair_registers_every_partition_folder(lakes: tuple[Any, Any, Path]) -> None:
    spark, con, root = lakes
    partitions = sorted(
        row[0] for row in spark.sql("SHOW PARTITIONS coinlake.gold_trades_hourly").collect()
    )
    folders = sorted(
        path.parent.relative_to(root / "gold/trades_hourly").as_posix()
        for path in (root / "gold/trades_hourly").glob("*/*/*.parquet")
    )
    assert partitions == sorted(set(folders))
    assert len(partitions) == 3  # three products x one year (2.5 days from midnight, ADR 0005)
    quarantined = run_sql(con, "SELECT count(*) AS n FROM coinlake.quarantine_trades")
    assert spark.table("coinlake.quarantine_trades").count() == quarantined["n"][0].as_py() > 0
    tables = {row.tableName for row in spark.sql("SHOW TABLES IN coinlake").collect()}
    assert tables == {spec.name for spec in sql_tables()}


def test_spark_reads_the_exact_column_types(lakes: tuple[Any, Any, Path]) -> None:
    spark, _, _ = lakes
    types = dict(spark.table("coinlake.silver_trades").dtypes)
    assert types["price"] == "decimal(18,8)"
    assert types["trade_time"] == "timestamp"
    assert types["date"] == "date"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_spark_and_duckdb_agree_on_the_analytic_queries(
    lakes: tuple[Any, Any, Path], name: str
) -> None:
    spark, con, _ = lakes
    sql = analytic_query(name, start="2026-11-20", end="2026-11-21")
    duck = [tuple(_normal(v) for v in row.values()) for row in run_sql(con, sql).to_pylist()]
    sparks = [
        tuple(_normal(v) for v in row) for row in spark.sql(transpile(sql, "spark")).collect()
    ]
    assert duck, "the query must return rows to prove anything"
    assert sparks == duck


def test_a_partition_filter_prunes_in_spark_too(lakes: tuple[Any, Any, Path]) -> None:
    spark, _, _ = lakes
    plan = spark.sql(
        "EXPLAIN SELECT sum(volume) FROM coinlake.gold_trades_hourly "
        "WHERE product_id = 'SOL-USD' AND `date` = DATE '2026-11-21'"
    ).collect()[0][0]
    assert "PartitionFilters" in plan
    assert "SOL-USD" in plan
