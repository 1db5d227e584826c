"""The generated Hive DDL runs in Spark SQL, MSCK REPAIR finds the partitions, and Spark gives the
same answers as DuckDB for the analytic queries (transpiled from the same text with sqlglot)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import coinlake
from coinlake.query.analytics import QUERIES, analytic_query, transpile
from coinlake.query.ddl import DdlOptions, build_ddl, split_statements
from coinlake.query.sample import write_sample_lake
from coinlake.query.tables import TABLES
from coinlake.query.views import run_sql

pytestmark = [pytest.mark.integration, pytest.mark.spark]


def _normal(value: Any) -> Any:
    # PySpark hands TimestampType back as naive local time; DuckDB as aware UTC.
    if isinstance(value, datetime):
        aware = value.astimezone(UTC) if value.tzinfo is None else value
        return aware.astimezone(UTC)
    return value


@pytest.fixture(scope="module")
def lakes(spark_hive: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    root = tmp_path_factory.mktemp("spark_lake")
    write_sample_lake(root, products=("BTC-USD", "ETH-USD", "SOL-USD"), hours=50)
    options = DdlOptions(location=root.resolve().as_uri(), projection=False)
    for statement in split_statements(build_ddl(options)):
        spark_hive.sql(statement)
    return spark_hive, coinlake.connect(root)


def test_msck_repair_registers_every_partition_folder(lakes: tuple[Any, Any]) -> None:
    spark, _ = lakes
    partitions = [
        row[0] for row in spark.sql("SHOW PARTITIONS coinlake.gold_trades_hourly").collect()
    ]
    assert len(partitions) == 3 * 3  # three products x three dates (50 hours from midnight)
    assert "product_id=BTC-USD/date=2026-01-03" in partitions
    tables = {row.tableName for row in spark.sql("SHOW TABLES IN coinlake").collect()}
    assert tables == {spec.name for spec in TABLES}


def test_spark_reads_the_exact_column_types(lakes: tuple[Any, Any]) -> None:
    spark, _ = lakes
    types = dict(spark.table("coinlake.silver_trades").dtypes)
    assert types["price"] == "decimal(18,8)"
    assert types["trade_time"] == "timestamp"
    assert types["date"] == "date"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_spark_and_duckdb_agree_on_the_analytic_queries(lakes: tuple[Any, Any], name: str) -> None:
    spark, con = lakes
    sql = analytic_query(name, start="2026-01-01", end="2026-01-02")
    duck = [tuple(_normal(v) for v in row.values()) for row in run_sql(con, sql).to_pylist()]
    sparks = [
        tuple(_normal(v) for v in row) for row in spark.sql(transpile(sql, "spark")).collect()
    ]
    assert duck, "the query must return rows to prove anything"
    assert sparks == duck


def test_a_partition_filter_prunes_in_spark_too(lakes: tuple[Any, Any]) -> None:
    spark, _ = lakes
    plan = spark.sql(
        "EXPLAIN SELECT sum(volume) FROM coinlake.gold_trades_hourly "
        "WHERE product_id = 'SOL-USD' AND `date` = DATE '2026-01-02'"
    ).collect()[0][0]
    assert "PartitionFilters" in plan
    assert "SOL-USD" in plan
