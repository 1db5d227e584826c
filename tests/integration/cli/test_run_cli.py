"""`coinlake run`: one pass of ingest -> transform -> quality, with an exit status for cron."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.integration.cli.test_entry_point import coinlake

pytestmark = pytest.mark.integration


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there once the socket is closed


def env_for(sandbox: Any, **overrides: str) -> dict[str, str]:
    return {
        "COINLAKE_COINBASE_URL": sandbox.coinbase_url,
        "COINLAKE_COINGECKO_URL": sandbox.coingecko_url,
        "COINLAKE_PRODUCTS": "BTC-USD",
        "COINLAKE_COINS": "bitcoin",
        "COINLAKE_VS_CURRENCIES": "usd",
        "COLUMNS": "200",
        **overrides,
    }


def step_lines(stdout: str) -> dict[str, str]:
    return {line.split()[0]: line for line in stdout.splitlines() if " in " in line}


def test_one_pass_lands_builds_and_checks_everything_and_exits_0(
    sandbox: Any, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    done = coinlake("--lake", str(lake), "run", cwd=tmp_path, env=env_for(sandbox))
    assert done.returncode == 0, done.stdout + done.stderr
    steps = step_lines(done.stdout)
    assert list(steps) == ["coinbase", "coingecko", "transform"]
    assert all(" ok in " in line for line in steps.values())
    assert "quality" in steps["transform"] and done.stdout.strip().endswith("run: ok")
    trades = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{lake}/silver/trades/**/*.parquet')"
    ).fetchall()
    assert trades[0][0] > 0
    assert list((lake / "gold" / "quality_results").rglob("*.parquet"))


def test_a_source_that_cannot_be_reached_is_a_partial_run_and_the_rest_still_runs(
    sandbox: Any, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    env = env_for(sandbox, COINLAKE_COINBASE_URL=closed_port_url())
    done = coinlake("--lake", str(lake), "run", cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    steps = step_lines(done.stdout)
    assert "failed" in steps["coinbase"] and " ok in " in steps["coingecko"]
    assert " ok in " in steps["transform"]  # what landed is still transformed
    assert done.stdout.strip().endswith("run: partial")
    assert list((lake / "silver" / "prices").rglob("*.parquet"))


def test_a_pass_where_every_step_fails_exits_3(tmp_path: Path) -> None:
    env = {
        "COINLAKE_COINBASE_URL": closed_port_url(),
        "COINLAKE_COINGECKO_URL": closed_port_url(),
        "COINLAKE_PRODUCTS": "BTC-USD",
    }
    done = coinlake(
        "--lake", str(tmp_path / "lake"), "run", "--no-transform", cwd=tmp_path, env=env
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout.strip().endswith("run: failed")
    assert "Traceback" not in done.stderr


def test_an_s3_lake_on_local_spark_says_what_to_run_instead(tmp_path: Path) -> None:
    done = coinlake(
        "--lake", "s3://my-lake/coinlake", "run", cwd=tmp_path, env={"COINLAKE_ENGINE": "spark"}
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --lake s3://my-lake/coinlake: a local Spark session cannot reach S3; transform "
        "it with --engine duckdb here, or on AWS with the Glue job (`aws glue start-job-run "
        "--job-name coinlake-<stage>-transform`, deployed by `make deploy`: docs/aws.md)"
    ]
