"""The Glue job on an `s3://` lake, started with exactly the arguments the CDK app gives it.

Spark reads and writes `s3://` through `LoopbackS3FileSystem` (tests/fixtures/java), a small
Hadoop FileSystem compiled here with javac that speaks S3 REST to moto's server; the job's own
listing, state documents and commit go through boto3 to the same server. So the whole path
handling runs as on Glue: Bronze keys listed from S3 and handed to Spark as `s3://` URIs,
`bronze_key` lineage cut out of `input_file_name()`, the staged write under `_staging/`, and the
commit's copies and deletes on an object store without folders or renames. The job runs in its
own interpreter and JVM (`python -m coinlake.runtime.glue_job`), as Glue starts it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from coinlake.deployment import DEFAULT_DEPLOYMENT, glue_job_arguments
from tests.integration.transform.helpers import T, lake_snapshot, land_page, run

pytestmark = [pytest.mark.integration, pytest.mark.spark]

JAVA_SOURCE = Path(__file__).parents[2] / "fixtures" / "java"
FILESYSTEM = "coinlake.testing.LoopbackS3FileSystem"
_BUCKETS = itertools.count()

FIRST_PAGE = [
    T(1001, "2026-11-21T23:59:59.999999Z", "91234.56", "0.00120000", "buy"),
    T(1002, "2026-11-22T00:00:00.000001Z", "91234.57", "0.50000000", "sell"),
]
SECOND_PAGE = [
    T(1002, "2026-11-22T00:00:00.000001Z", "91234.57", "0.50000000", "sell"),
    T(1003, "2026-11-22T01:15:00.250000Z", "91300.00", "0.01000000", "buy"),
]


@pytest.fixture(scope="session")
def loopback_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`LoopbackS3FileSystem` compiled against the Hadoop jars pyspark ships."""
    javac = shutil.which("javac")
    if javac is None:
        pytest.skip("javac missing: `make jdk` installs openjdk-17-jdk-headless")
    pyspark = pytest.importorskip("pyspark")
    jars = Path(pyspark.__file__).parent / "jars"
    out = tmp_path_factory.mktemp("loopback-s3")
    sources = [str(p) for p in JAVA_SOURCE.rglob("*.java")]
    subprocess.run(
        [javac, "-d", str(out), "-cp", f"{jars}/*", *sources],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


@pytest.fixture
def bucket(aws_credentials: str) -> Iterator[str]:
    name = f"coinlake-glue-{next(_BUCKETS)}"
    boto3.client("s3", endpoint_url=aws_credentials, region_name="us-east-1").create_bucket(
        Bucket=name
    )
    yield name


def upload(endpoint: str, bucket: str, root: Path, keys: list[str]) -> None:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    for key in keys:
        client.put_object(Bucket=bucket, Key=key, Body=(root / key).read_bytes())


def bucket_keys(endpoint: str, bucket: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    keys: list[str] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return sorted(keys)


def download(endpoint: str, bucket: str, target: Path) -> None:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    for key in bucket_keys(endpoint, bucket):
        if key.endswith("/"):
            continue
        path = target / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(client.get_object(Bucket=bucket, Key=key)["Body"].read())


def glue_argv(bucket: str) -> list[str]:
    """What Glue hands the script: --JOB_NAME, the job's DefaultArguments, Glue's own."""
    arguments = glue_job_arguments(
        DEFAULT_DEPLOYMENT, bucket, wheel_uri=f"s3://{bucket}-assets/coinlake-0.1.0.whl"
    )
    argv = ["--JOB_NAME", f"{DEFAULT_DEPLOYMENT.prefix}-transform"]
    for name, value in arguments.items():
        argv += [name, value]
    return [*argv, "--JOB_ID", "j_0123", "--JOB_RUN_ID", "jr_0123", "--TempDir", "s3://t/tmp/"]


def run_glue_job(
    argv: list[str], endpoint: str, classes: Path, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    conf = tmp_path / "spark-conf"
    conf.mkdir(exist_ok=True)
    (conf / "spark-defaults.conf").write_text(
        f"spark.driver.extraClassPath {classes}\n"
        f"spark.hadoop.fs.s3.impl {FILESYSTEM}\n"
        f"spark.hadoop.fs.s3.loopback.endpoint {endpoint}\n"
    )
    env: dict[str, Any] = {k: v for k, v in os.environ.items() if not k.startswith("COINLAKE_")}
    env.update(
        SPARK_CONF_DIR=str(conf),
        COINLAKE_S3_ENDPOINT_URL=endpoint,
        PYTHONPATH=os.pathsep.join(sys.path),
    )
    return subprocess.run(
        [sys.executable, "-m", "coinlake.runtime.glue_job", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )


@pytest.mark.timeout(900)  # two job runs, each a fresh JVM; minutes on a loaded 2-core machine
def test_the_glue_job_on_s3_matches_duckdb_on_a_folder_and_leaves_nothing_staged(
    loopback_classes: Path, bucket: str, aws_credentials: str, tmp_path: Path
) -> None:
    bronze, reference = tmp_path / "bronze", tmp_path / "duckdb"
    argv = glue_argv(bucket)
    assert argv[2:6] == ["--lake", f"s3://{bucket}", "--layer", "all"]

    first = land_page(bronze, "BTC-USD", "2026-11-22T01:00:05Z", FIRST_PAGE)
    assert land_page(reference, "BTC-USD", "2026-11-22T01:00:05Z", FIRST_PAGE) == first
    upload(aws_credentials, bucket, bronze, [first])
    done = run_glue_job(argv, aws_credentials, loopback_classes, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "silver.trades: 1 objects, 2 rows in, 2 written" in done.stdout
    run(reference)

    second = land_page(bronze, "BTC-USD", "2026-11-22T01:20:05Z", SECOND_PAGE)
    assert land_page(reference, "BTC-USD", "2026-11-22T01:20:05Z", SECOND_PAGE) == second
    upload(aws_credentials, bucket, bronze, [second])
    done = run_glue_job(argv, aws_credentials, loopback_classes, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    # incremental on S3: only the new page is read, the re-fetched trade 1002 is deduplicated,
    # and the day's partition is rewritten with its 2 rows (1002, 1003)
    assert "silver.trades: 1 objects, 2 rows in, 2 written, 1 deduped" in done.stdout
    run(reference)

    downloaded = tmp_path / "from-s3"
    download(aws_credentials, bucket, downloaded)
    assert lake_snapshot(downloaded) == lake_snapshot(reference)
    silver = lake_snapshot(downloaded)["silver"]
    assert {row["bronze_key"] for row in silver} == {first, second}
    keys = bucket_keys(aws_credentials, bucket)
    assert [k for k in keys if k.startswith("_staging/") or "_temporary" in k] == []
    assert any(k.startswith("silver/trades/product_id=BTC-USD/date=2026-11-22/") for k in keys)
