"""The Glue entry point run from argv in-process, on the shared Spark session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coinlake.runtime import glue_job
from tests.integration.transform.helpers import MIDNIGHT_PAGE, lake_snapshot, land_page, run

pytestmark = [pytest.mark.integration, pytest.mark.spark]


def test_glue_job_from_argv_runs_the_same_transform_as_the_cli(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for root in (tmp_path / "glue", tmp_path / "duckdb"):
        land_page(root, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT_PAGE)
    argv = ["--JOB_NAME", "silver-gold", "--lake", str(tmp_path / "glue"), "--layer", "all"]
    assert glue_job.main(argv, session=spark) == 0
    out = capsys.readouterr().out
    assert "silver.trades: 1 objects, 2 rows in, 2 written" in out
    assert "gold.trades_hourly (full refresh)" in out
    run(tmp_path / "duckdb")
    assert lake_snapshot(tmp_path / "glue") == lake_snapshot(tmp_path / "duckdb")
    rebuilt = [*argv, "--full-refresh", "true"]
    assert glue_job.main(rebuilt, session=spark) == 0
    assert "silver.trades (full refresh)" in capsys.readouterr().out
    assert lake_snapshot(tmp_path / "glue") == lake_snapshot(tmp_path / "duckdb")
    assert spark.range(1).count() == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lake", "x"], "--JOB_NAME is required"),
        (["--JOB_NAME", "j"], "--lake is required"),
        (["--JOB_NAME", "j", "--lake", "x", "--layer", "bronze"], "--layer 'bronze'"),
        (["--JOB_NAME", "j", "--lake", "x", "--full-refresh", "maybe"], "use true or false"),
        (["--JOB_NAME", "j", "--lake", "x", "--engine", "duckdb"], "unrecognized arguments"),
        (["--JOB_NAME", "j", "--lake", "s3://"], "s3://"),
    ],
)
def test_bad_arguments_are_one_error_line_and_exit_2(
    spark: Any, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert glue_job.main(argv, session=spark) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert message in lines[0]
