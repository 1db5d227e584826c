"""`coinlake transform --engine spark` end to end through the CLI, on the shared session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coinlake.cli.main import app
from tests.integration.transform.helpers import MIDNIGHT_PAGE, lake_snapshot, land_page, run

pytestmark = [pytest.mark.integration, pytest.mark.spark]


def test_cli_spark_transform_matches_duckdb_and_leaves_the_session_running(
    spark: Any, tmp_path: Path
) -> None:
    for root in (tmp_path / "spark", tmp_path / "duckdb"):
        land_page(root, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT_PAGE)
    runner = CliRunner()
    result = runner.invoke(
        app, ["--lake", str(tmp_path / "spark"), "transform", "all", "--engine", "spark"]
    )
    assert result.exit_code == 0, result.output
    assert "coinlake transform all (spark)" in result.output
    assert "gold.trades_hourly" in result.output
    run(tmp_path / "duckdb")
    assert lake_snapshot(tmp_path / "spark") == lake_snapshot(tmp_path / "duckdb")
    again = runner.invoke(
        app, ["--lake", str(tmp_path / "spark"), "transform", "--engine", "spark"]
    )
    assert again.exit_code == 0, again.output
    assert "up to date" in again.output
    assert spark.range(2).count() == 2  # the CLI reused the session and did not stop it
