"""`coinlake transform` end to end through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from coinlake.cli.main import app
from tests.integration.transform.helpers import MIDNIGHT_PAGE, land_page

pytestmark = pytest.mark.integration


def test_transform_all_prints_a_summary_and_a_rerun_says_up_to_date(tmp_path: Path) -> None:
    land_page(tmp_path, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT_PAGE)
    runner = CliRunner()
    result = runner.invoke(app, ["--lake", str(tmp_path), "transform", "all"])
    assert result.exit_code == 0, result.output
    assert "silver.trades" in result.output
    assert "gold.trades_hourly" in result.output
    assert list((tmp_path / "gold" / "trades_hourly").rglob("*.parquet"))
    again = runner.invoke(app, ["--lake", str(tmp_path), "transform", "silver"])
    assert again.exit_code == 0
    assert "up to date" in again.output
    full = runner.invoke(app, ["--lake", str(tmp_path), "transform", "gold", "--full-refresh"])
    assert full.exit_code == 0
    assert "gold.trades_hourly*" in full.output


def test_a_local_spark_transform_on_an_s3_lake_names_the_glue_job() -> None:
    result = CliRunner().invoke(
        app, ["--lake", "s3://bucket/lake", "transform", "--engine", "spark"]
    )
    assert result.exit_code != 0
    assert "aws glue start-job-run" in str(result.exception)
