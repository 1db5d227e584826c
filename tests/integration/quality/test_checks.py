"""Every built-in check passes on a clean sandbox lake and fails on data built to break it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from coinlake.quality.config import QualityConfig, UserCheck
from tests.integration.quality.helpers import (
    HISTORY_HOURS,
    build_lake,
    check,
    failed_checks,
    rewrite_one,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def sandbox(sandbox_factory: Any) -> Any:
    """The test sandbox with enough history for `build_lake`."""
    return sandbox_factory(history_days=(HISTORY_HOURS + 1) / 24)


@pytest.fixture
def lake(sandbox: Any, tmp_path: Path) -> Path:
    build_lake(sandbox, tmp_path / "lake")
    return tmp_path / "lake"


def test_a_clean_lake_runs_every_check_and_fails_none(sandbox: Any, lake: Path) -> None:
    run = check(lake, sandbox.clock.now())
    assert run.checks >= 8
    assert {r.check for r in run.results} >= {
        "schema_silver_trades", "validity_trades", "unique_trades", "completeness_trades",
        "freshness_trades", "consistency_trades_hourly", "vwap_vs_coingecko",
        "candles_vs_trades", "anomaly_volume", "coverage_candles",
    }  # fmt: skip
    assert failed_checks(run) == set()
    vwap = [r for r in run.results if r.check == "vwap_vs_coingecko"]
    assert vwap and all(0 < r.observed < 0.02 for r in vwap)  # compared, and close
    assert run.written and all((lake / key).is_file() for key in run.written)


ADD, REPLACE = True, False
BREAKERS: dict[str, tuple[str, str, str, bool]] = {
    # check: (table folder, SELECT over the first file {t}, expected sample, ADD or REPLACE)
    "validity_trades": (
        "silver/trades",
        "SELECT * REPLACE (-price AS price, trade_id + 10000000 AS trade_id) FROM {t} LIMIT 1",
        "",
        ADD,
    ),
    "unique_trades": ("silver/trades", "SELECT * FROM {t} LIMIT 2", "", ADD),
    "schema_silver_trades": (
        "silver/trades",
        "SELECT * REPLACE (NULL AS side, trade_id + 10000000 AS trade_id) FROM {t} LIMIT 1",
        "side",
        ADD,
    ),
    "consistency_trades_hourly": (
        "gold/trades_hourly",
        "SELECT * REPLACE (trade_count + 1 AS trade_count) FROM {t}",
        "",
        REPLACE,
    ),
    "vwap_vs_coingecko": (
        "gold/trades_hourly",  # a decimal scale off by ten
        "SELECT * REPLACE (vwap * 10 AS vwap) FROM {t}",
        "",
        REPLACE,
    ),
    "candles_vs_trades": (
        "silver/candles",
        "SELECT * REPLACE (volume * 2 AS volume) FROM {t}",
        "",
        REPLACE,
    ),
    "validity_prices": (
        "silver/prices",
        "SELECT * REPLACE (-price AS price, last_updated_at + INTERVAL 1 SECOND AS last_updated_at)"
        " FROM {t} LIMIT 1",
        "",
        ADD,
    ),
}


@pytest.mark.parametrize("name", sorted(BREAKERS))
def test_each_check_fails_on_data_built_to_break_it(sandbox: Any, lake: Path, name: str) -> None:
    folder, select, sample, add = BREAKERS[name]
    rewrite_one(lake, folder, select, keep=add)
    run = check(lake, sandbox.clock.now(), write=False)
    failed = [r for r in run.results if r.check == name and not r.passed]
    assert failed, [r for r in run.results if r.check == name]
    assert name in failed_checks(run)
    if sample:
        assert sample in failed[0].sample


def test_freshness_fails_when_the_newest_trade_is_older_than_the_limit(
    sandbox: Any, lake: Path
) -> None:
    later = sandbox.clock.now() + timedelta(hours=2)
    run = check(lake, later, write=False)
    stale = [r for r in run.results if r.check == "freshness_trades"]
    assert stale and not stale[0].passed and stale[0].observed >= 120
    assert failed_checks(run, "error") == set()  # a warning: exit 0 unless --fail-on warn
    assert "freshness_trades" in failed_checks(run, "warn")


def test_an_hour_of_outsized_volume_is_reported_as_an_anomaly_never_as_a_failure(
    sandbox: Any, lake: Path
) -> None:
    # a middle Gold hour with 1000x its volume
    rewrite_one(
        lake,
        "gold/trades_hourly",
        "SELECT * REPLACE (CASE WHEN hour = (SELECT min(hour) + INTERVAL 3 HOUR FROM {t}) "
        "THEN volume * 1000 ELSE volume END AS volume) FROM {t}",
        keep=False,
    )
    run = check(lake, sandbox.clock.now(), write=False)
    anomaly = [r for r in run.results if r.check == "anomaly_volume"]
    assert anomaly and not anomaly[0].passed and anomaly[0].severity == "info"
    assert anomaly[0].sample == "2026-11-22 06:00"
    assert "anomaly_volume" not in failed_checks(run, "warn")


def test_a_user_check_from_the_settings_runs_like_a_built_in_one(sandbox: Any, lake: Path) -> None:
    config = QualityConfig(
        checks=(
            UserCheck(
                name="no_big_trades",
                table="silver_trades",
                sql="SELECT trade_id AS k FROM silver_trades WHERE size > 0.0001",
                severity="warn",
                threshold=0,
            ),
        )
    )
    run = check(lake, sandbox.clock.now(), config, write=False)
    (result,) = [r for r in run.results if r.check == "no_big_trades"]
    assert not result.passed and result.observed > 0 and result.severity == "warn"
    assert len(result.sample.split(",")) == 5
