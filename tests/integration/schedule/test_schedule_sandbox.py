"""`coinlake schedule` against the API sandbox: scheduled runs keep Bronze and Silver gapless."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from coinlake.app.jobs import ingest_action, transform_action
from coinlake.app.lake import open_lake
from coinlake.config import Settings
from coinlake.domain.clock import Clock
from coinlake.ingest.run import Sources
from coinlake.schedule.expressions import parse_schedule
from coinlake.schedule.loop import ScheduledJob, run_schedule
from tests.integration.ingest.helpers import bronze_trade_ids, sandbox_settings

pytestmark = pytest.mark.integration


def test_scheduled_ingest_and_transform_land_every_trade_once(sandbox: Any, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    lake.mkdir()
    settings = sandbox_settings(sandbox, str(lake), products="BTC-USD,ETH-USD")
    store = open_lake(settings)
    clock: Clock = sandbox.clock  # sleeping moves the market on

    def sources(s: Settings, c: Clock) -> Sources:
        return Sources(s, clock=c)

    start = clock.now()
    jobs = [
        ScheduledJob(
            "coinbase",
            parse_schedule("rate(20 minutes)", anchor=start),
            ingest_action(settings, store, "coinbase", clock, sources),
        ),
        ScheduledJob(
            "transform", parse_schedule("rate(1 hour)", anchor=start), transform_action(settings)
        ),
    ]
    run = run_schedule(jobs, clock, until=start + timedelta(hours=2, minutes=1))
    assert [f.job for f in run.firings] == ["coinbase"] * 3 + ["transform"] + ["coinbase"] * 3 + [
        "transform"
    ]
    assert run.failures == 0, [f.detail for f in run.firings]
    checked = [f.detail for f in run.firings if f.job == "transform"]
    assert all("quality" in detail and "no error" in detail for detail in checked), checked
    assert len(list((lake / "gold" / "quality_results").rglob("*.parquet"))) == 2
    for product in ("BTC-USD", "ETH-USD"):
        landed = bronze_trade_ids(store, product)
        assert set(landed) == set(range(min(landed), max(landed) + 1))
        assert max(landed.values()) == 1, "a trade id landed twice"
        # the last transform ran at the last ingest: Silver holds exactly what Bronze holds
        silver = duckdb.sql(
            f"SELECT count(*), count(DISTINCT trade_id), min(trade_id), max(trade_id) "
            f"FROM read_parquet('{lake}/silver/trades/product_id={product}/*/*.parquet')"
        ).fetchall()[0]
        assert silver == (len(landed), len(landed), min(landed), max(landed))


def test_schedule_once_runs_every_job_now_through_the_cli(sandbox: Any, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    lake.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COINLAKE_")}
    env.update(
        COINLAKE_COINBASE_URL=sandbox.coinbase_url,
        COINLAKE_COINGECKO_URL=sandbox.coingecko_url,
        COINLAKE_PRODUCTS="BTC-USD",
        COINLAKE_COINS=",".join(sandbox.market.coins),
    )
    done = subprocess.run(
        [sys.executable, "-m", "coinlake", "--lake", str(lake), "schedule", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[2:4] for line in lines] == [
        ["coinbase", "ok"],
        ["coingecko", "ok"],
        ["transform", "ok"],
    ]
    assert (lake / "silver" / "trades" / "product_id=BTC-USD").is_dir()
    assert (lake / "silver" / "prices").is_dir()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--coinbase", "rate(1 minutes)"], "error: rate(1 minutes): write rate(1 minute)"),
        (["--coingecko", "daily"], "error: schedule 'daily': use rate("),
        (["--coinbase", "off", "--coingecko", "off", "--transform", "off"], "error: every job"),
        (["--for-minutes", "0"], "error: --for-minutes must be positive"),
    ],
)
def test_schedule_flag_mistakes_are_one_line(
    tmp_path: Path, flags: list[str], message: str
) -> None:
    (tmp_path / "lake").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "coinlake", "--lake", str(tmp_path / "lake"), "schedule", *flags],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith(message), done.stderr
