"""The Glue job runs the checks on Spark with the same results as DuckDB, and publishes metrics.

One test (Spark runs the 28 checks in a few minutes on a loaded 2-core machine)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest

from coinlake.runtime import glue_job
from tests.integration.quality.helpers import HISTORY_HOURS, build_lake, check, rewrite_one

pytestmark = [pytest.mark.integration, pytest.mark.spark]

GAP = (874_009_000, 874_009_099)  # about two hours before the sandbox's now


@pytest.fixture
def broken_lake(sandbox_factory: Any, tmp_path: Path) -> tuple[Any, Path]:
    """A sandbox lake with an exchange gap and a Gold hour whose VWAP is ten times off."""
    sb = sandbox_factory(history_days=(HISTORY_HOURS + 1) / 24, gaps={"BTC-USD": [GAP]})
    lake = tmp_path / "lake"
    build_lake(sb, lake)
    rewrite_one(
        lake, "gold/trades_hourly", "SELECT * REPLACE (vwap * 10 AS vwap) FROM {t}", keep=False
    )
    return sb, lake


def _stored(lake: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of gold/quality_results per run id, without the run id and time."""
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT run_id, check_name, table_name, partition_key, severity, passed, observed, "
        f"threshold, sample, date FROM read_parquet('{lake}/gold/quality_results/*/*.parquet', "
        "hive_partitioning=true) ORDER BY ALL"
    ).fetchall()
    runs: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        runs.setdefault(row[0], []).append(row[1:])
    return runs


def test_the_glue_job_checks_on_spark_like_duckdb_and_publishes_failure_counts(
    spark: Any, broken_lake: tuple[Any, Path], aws_credentials: str
) -> None:
    sb, lake = broken_lake
    now = sb.clock.now()
    on_duckdb = check(lake, now, run_id="duckdb")
    assert {"completeness_trades", "vwap_vs_coingecko"} <= {r.check for r in on_duckdb.failed()}
    cloudwatch = boto3.client("cloudwatch", endpoint_url=aws_credentials, region_name="us-east-1")
    args = glue_job.parse_argv(["--JOB_NAME", "nightly", "--lake", str(lake), "--metrics", "true"])
    lines = glue_job.run(args, session=spark, metrics=cloudwatch, now=now)
    assert any(line.startswith("quality q-") and "2 failed (error)" in line for line in lines)

    # the same rows in gold/quality_results from both engines, apart from run id and time
    stored = _stored(lake)
    (spark_run,) = set(stored) - {"duckdb"}
    assert stored[spark_run] == stored["duckdb"]
    assert len(stored["duckdb"]) == len(on_duckdb.results)

    listed = cloudwatch.list_metrics(Namespace="coinlake/quality")["Metrics"]
    names = {
        (m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])))
        for m in listed
    }
    assert ("FailedChecks", (("Job", "nightly"), ("Severity", "error"))) in names
    completeness = (
        ("Check", "completeness_trades"), ("Job", "nightly"), ("Severity", "error"),
        ("Table", "silver_trades"),
    )  # fmt: skip
    assert ("FailedPartitions", completeness) in names
    stats = cloudwatch.get_metric_statistics(
        Namespace="coinlake/quality",
        MetricName="FailedChecks",
        Dimensions=[{"Name": "Job", "Value": "nightly"}, {"Name": "Severity", "Value": "error"}],
        StartTime="2000-01-01T00:00:00Z",
        EndTime="2100-01-01T00:00:00Z",
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert [p["Maximum"] for p in stats] == [2.0]  # completeness and the VWAP check
