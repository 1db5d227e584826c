"""The Python API a notebook or an orchestrator calls: ingest, transform, query, connect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import coinlake
from coinlake.errors import ConfigError, QueryFailedError

pytestmark = pytest.mark.integration


def test_ingest_transform_and_query_from_python(sandbox: Any, tmp_path: Path) -> None:
    settings = coinlake.Settings(
        lake=str(tmp_path / "lake"),
        coinbase_url=sandbox.coinbase_url,
        coingecko_url=sandbox.coingecko_url,
        products=("BTC-USD",),
        coins=("bitcoin",),
        vs_currencies=("usd",),
    )
    summary = coinlake.run_ingest(settings)
    assert not summary.failed, [item.error for item in summary.items]
    landed = sum(item.trades for item in summary.items if item.dataset == "trades")
    assert landed > 0
    tables = {t.table: t for t in coinlake.run_transform(settings)}
    assert tables["silver.trades"].rows_written == landed
    counted = coinlake.run_query(
        "SELECT count(*) AS n FROM coinlake.silver_trades", settings
    ).to_pylist()
    assert counted == [{"n": landed}]
    # keyword arguments work in place of a Settings
    daily = coinlake.run_query(
        "SELECT coin_id, date FROM coinlake.gold_prices_daily", lake=settings.lake
    )
    assert daily.column("coin_id").to_pylist() == ["bitcoin"]
    assert coinlake.connect(settings.lake).sql("SELECT 1").fetchall() == [(1,)]


def test_the_api_errors_are_coinlake_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        coinlake.run_transform(lake=str(tmp_path / "missing"))
    (tmp_path / "lake").mkdir()
    with pytest.raises(QueryFailedError, match='Candidate bindings: "date"'):
        coinlake.run_query(
            "SELECT day FROM coinlake.gold_prices_daily", lake=str(tmp_path / "lake")
        )
