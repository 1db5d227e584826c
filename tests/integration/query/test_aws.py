"""The S3 lake (views through pyarrow's S3 filesystem) and the Athena runner, against moto."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import boto3
import pytest
import requests
from typer.testing import CliRunner

import coinlake
from coinlake.app.query import status
from coinlake.aws.athena import run_athena_query
from coinlake.cli.main import app
from coinlake.config import Settings, settings_of
from coinlake.errors import ConfigError
from coinlake.query.runner import Backoff
from coinlake.query.sample import SampleLake

pytestmark = pytest.mark.integration


@pytest.fixture
def s3_lake(
    sample_lake: tuple[Path, SampleLake], moto_endpoint: str, aws_env: None
) -> tuple[str, SampleLake]:
    root, sample = sample_lake
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="lake")
    for path in root.rglob("*"):
        if path.is_file():
            s3.upload_file(str(path), "lake", f"prod/{path.relative_to(root).as_posix()}")
    s3.put_object(
        Bucket="lake",
        Key="prod/bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-01-01/1-2.json",
        Body=b"{}",
    )
    return "s3://lake/prod", sample


def test_an_s3_lake_has_the_same_views_and_rows(s3_lake, moto_endpoint: str) -> None:
    uri, sample = s3_lake
    con = coinlake.connect(uri, s3_endpoint_url=moto_endpoint)
    rows = con.execute(
        "SELECT count(*), sum(size) FROM coinlake.silver_trades WHERE product_id = 'ETH-USD'"
    ).fetchall()[0]
    eth = [t for t in sample.trades if t["product_id"] == "ETH-USD"]
    assert rows == (len(eth), sum(t["size"] for t in eth))
    gold = con.execute("SELECT count(*) FROM coinlake.gold_trades_hourly").fetchall()[0]
    assert gold == (len(sample.hourly),)
    empty = con.execute("SELECT count(*) FROM coinlake.silver_prices").fetchall()[0]
    assert empty == (0,)


def test_partition_filters_prune_s3_files_too(
    s3_lake, moto_endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    uri, sample = s3_lake
    con = coinlake.connect(uri, s3_endpoint_url=moto_endpoint)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        (total,) = con.execute(
            "SELECT sum(size) FROM coinlake.silver_trades "
            "WHERE product_id = 'BTC-USD' AND date = DATE '2026-01-02'"
        ).fetchall()[0]
    fetched = {
        match.group(1)
        for record in caplog.records
        if (match := re.search(r"GET /lake/prod/silver/trades/(\S+\.parquet)", record.getMessage()))
    }
    assert fetched == {"product_id=BTC-USD/date=2026-01-02/part-00000.parquet"}
    assert total == sum(
        t["size"]
        for t in sample.trades
        if t["product_id"] == "BTC-USD" and t["date"].isoformat() == "2026-01-02"
    )


def test_status_of_an_s3_lake_lists_its_bronze(s3_lake, moto_endpoint: str) -> None:
    uri, _ = s3_lake
    settings = settings_of({"lake": uri, "s3_endpoint_url": moto_endpoint})
    report = status(settings, now=datetime.now(UTC))
    assert report.bronze_pending == {"coinbase/trades/BTC-USD": 1}
    assert report.quarantined["quarantine_trades"] == 3


def _athena_settings(endpoint: str, **extra: object) -> Settings:
    return Settings.model_validate(
        {
            "athena_workgroup": "primary",
            "athena_endpoint_url": endpoint,
            "athena_output_location": "s3://athena-results/coinlake/",
            "athena_timeout_s": 30,
            **extra,
        }
    )


def _queue_athena_result(endpoint: str) -> None:
    columns = [
        {"Name": "product_id", "Label": "product_id", "Type": "varchar"},
        {"Name": "vwap", "Label": "vwap", "Type": "decimal", "Precision": 18, "Scale": 8},
        {"Name": "trades", "Label": "trades", "Type": "bigint"},
        {"Name": "hour", "Label": "hour", "Type": "timestamp"},
    ]
    rows = [
        {"Data": [{"VarCharValue": c["Name"]} for c in columns]},
        {
            "Data": [
                {"VarCharValue": "BTC-USD"},
                {"VarCharValue": "60001.12345678"},
                {"VarCharValue": "1234"},
                {"VarCharValue": "2026-01-01 13:00:00.000"},
            ]
        },
    ]
    response = requests.post(
        f"{endpoint}/moto-api/static/athena/query-results",
        json={"results": [{"rows": rows, "column_info": columns}]},
        timeout=10,
    )
    assert response.status_code == 201


def test_the_athena_runner_starts_polls_and_converts_results(
    moto_endpoint: str, aws_env: None
) -> None:
    _queue_athena_result(moto_endpoint)
    result = run_athena_query(
        _athena_settings(moto_endpoint),
        "SELECT product_id, vwap, trades, hour FROM coinlake.gold_trades_hourly",
        backoff=Backoff(first=0.01, cap=0.05),
    )
    assert result.query_execution_id
    assert result.rows == [
        ("BTC-USD", Decimal("60001.12345678"), 1234, datetime(2026, 1, 1, 13, tzinfo=UTC))
    ]
    assert result.bytes_scanned == 0  # what moto reports; real Athena gives the scanned bytes
    client = boto3.client("athena", endpoint_url=moto_endpoint, region_name="us-east-1")
    execution = client.get_query_execution(QueryExecutionId=result.query_execution_id)
    assert execution["QueryExecution"]["QueryExecutionContext"]["Database"] == "coinlake"
    assert execution["QueryExecution"]["WorkGroup"] == "primary"


def test_query_athena_prints_the_rows_as_csv(moto_endpoint: str, aws_env: None) -> None:
    _queue_athena_result(moto_endpoint)
    result = CliRunner().invoke(
        app,
        ["query", "--athena", "--format", "csv", "SELECT 1"],
        env={
            "COINLAKE_ATHENA_WORKGROUP": "primary",
            "COINLAKE_ATHENA_ENDPOINT_URL": moto_endpoint,
        },
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "product_id,vwap,trades,hour",
        "BTC-USD,60001.12345678,1234,2026-01-01T13:00:00+00:00",
    ]
    assert "bytes scanned" in result.stderr


def test_athena_without_a_workgroup_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="athena_workgroup"):
        run_athena_query(Settings(), "SELECT 1")
