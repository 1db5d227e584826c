"""`coinlake quality` and `coinlake backfill --repair-gaps` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coinlake.cli.main import app
from tests.integration.quality.test_gaps import _remove_pages, trades_lake

pytestmark = pytest.mark.integration


def test_quality_exit_codes_json_and_repair_gaps(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake, _, store = trades_lake(sandbox, tmp_path)
    monkeypatch.setenv("COINLAKE_COINBASE_URL", sandbox.coinbase_url)
    monkeypatch.chdir(tmp_path)  # no coinlake.toml around
    runner = CliRunner()
    base = ["--lake", str(lake), "quality"]

    clean = runner.invoke(app, base)
    assert clean.exit_code == 0, clean.output
    assert "completeness_trades" in clean.output and "0 failed at error" in clean.output
    # the sandbox's market is days behind the wall clock: stale, a warning only
    stale = runner.invoke(app, [*base, "--fail-on", "warn", "--format", "json"])
    assert stale.exit_code == 1
    document = json.loads(stale.output)
    assert document["checks"] >= 8
    assert {s["check"] for s in document["summary"] if not s["passed"]} == {"freshness_trades"}

    low, high = _remove_pages(store, "middle")
    assert runner.invoke(app, ["--lake", str(lake), "transform", "--full-refresh"]).exit_code == 0
    gapped = runner.invoke(app, [*base, "--table", "silver_trades"])
    assert gapped.exit_code == 1
    assert f"{low}-{high}" in gapped.output and "--repair-gaps" in gapped.output

    repaired = runner.invoke(app, ["--lake", str(lake), "backfill", "--repair-gaps"])
    assert repaired.exit_code == 0, repaired.output
    assert f"{low}-{high}" in repaired.output and "100%" in repaired.output
    assert runner.invoke(app, base).exit_code == 0
    stored = list((lake / "gold" / "quality_results").rglob("*.parquet"))
    assert len(stored) == 4  # one file per run, appended
    counted = runner.invoke(
        app,
        ["--lake", str(lake), "query", "--format", "csv",
         "SELECT count(DISTINCT run_id) AS runs FROM coinlake.quality_results"],
    )  # fmt: skip
    assert counted.exit_code == 0 and "4" in counted.output
    status = runner.invoke(app, ["--lake", str(lake), "status"])
    assert status.exit_code == 0, status.output
    assert "quality: q-" in status.output and "0 failed (error)" in status.output


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["quality", "--table", "silver_nope"], "--table 'silver_nope'"),
        (["backfill", "--repair-gaps", "--from", "2026-01-01"], "drop --from/--to"),
        (["backfill"], "backfill needs --from"),
    ],
)
def test_bad_quality_flags_are_one_clear_error(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["--lake", str(tmp_path), *argv])
    assert result.exit_code != 0
    assert message in str(result.exception)
