"""`coinlake status`: counts, freshness, gaps, quarantine and pending Bronze on a sample lake."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coinlake.app.query import status
from coinlake.cli import common
from coinlake.cli.main import app
from coinlake.config import Settings
from coinlake.devtools.fake_clock import FakeClock
from coinlake.query.sample import write_sample_lake

pytestmark = pytest.mark.integration
TRADES = "bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-01-01"


@pytest.fixture
def lake(tmp_path: Path):
    sample = write_sample_lake(tmp_path, hours=10, drop_every=50)
    for name in ("1001-2000.json", "2001-3000.json", "3001-4000.json"):
        (tmp_path / TRADES).mkdir(parents=True, exist_ok=True)
        (tmp_path / TRADES / name).write_text("{}")
    prices = tmp_path / "bronze/source=coingecko/dataset=simple_price/year=2026/month=01/day=01"
    prices.mkdir(parents=True)
    (prices / "20260101T000000Z.json").write_text("{}")
    bookmarks = tmp_path / "_state/bookmarks"
    bookmarks.mkdir(parents=True)
    (bookmarks / "silver_trades.json").write_text(
        json.dumps({"consumed": [f"{TRADES}/1001-2000.json"], "run": "r1"})
    )
    return tmp_path, sample


def test_counts_times_gaps_and_freshness_per_product(lake) -> None:
    root, sample = lake
    last = max(t["trade_time"] for t in sample.trades if t["product_id"] == "BTC-USD")
    now = last + timedelta(minutes=90)
    report = status(Settings(lake=str(root)), now=now)
    btc = next(s for s in report.tables if s.table == "silver_trades" and s.key == "BTC-USD")
    btc_ids = sorted(t["trade_id"] for t in sample.trades if t["product_id"] == "BTC-USD")
    assert btc.rows == len(btc_ids)
    assert btc.last_at == last
    assert btc.freshness_min == 90.0
    assert btc.gaps == btc_ids[-1] - btc_ids[0] + 1 - len(btc_ids)
    assert btc.gaps > 0
    assert btc.partitions == 1
    gold = next(s for s in report.tables if s.table == "gold_trades_hourly" and s.key == "BTC-USD")
    assert gold.rows == 10
    assert report.quarantined["quarantine_trades"] == 3
    assert report.bronze_total == 4
    assert report.bronze_pending == {"coinbase/trades/BTC-USD": 2, "coingecko/simple_price": 1}


def test_gaps_come_from_gold_when_silver_is_empty(lake) -> None:
    root, sample = lake
    import shutil

    shutil.rmtree(root / "silver")
    report = status(Settings(lake=str(root)), now=datetime.now(UTC))
    gold = next(s for s in report.tables if s.table == "gold_trades_hourly" and s.key == "ETH-USD")
    eth_ids = sorted(t["trade_id"] for t in sample.trades if t["product_id"] == "ETH-USD")
    assert gold.gaps == eth_ids[-1] - eth_ids[0] + 1 - len(eth_ids)


def test_check_fails_on_stale_or_gappy_products_and_passes_within_limits(
    lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, sample = lake
    last = max(t["trade_time"] for t in sample.trades)
    # "now" two hours after the last trade, whatever the machine's date: stale under the
    # default lag limit, fresh under a relaxed one
    monkeypatch.setattr(common, "clock", FakeClock(last + timedelta(hours=2)))
    runner = CliRunner()
    base = ["--lake", str(root), "status", "--check", "--format", "json"]
    stale = runner.invoke(app, base, env={"COINLAKE_PRODUCTS": "BTC-USD,ETH-USD"})
    assert stale.exit_code == 1
    assert "last trade" in stale.stderr
    assert "missing trade ids" in stale.stderr
    relaxed = runner.invoke(
        app,
        [*base, "--max-lag-minutes", "150", "--max-gaps", "1000"],
        env={"COINLAKE_PRODUCTS": "BTC-USD,ETH-USD"},
    )
    assert relaxed.exit_code == 0, relaxed.stderr
    assert json.loads(relaxed.stdout)["bronze_pending"]["coinbase/trades/BTC-USD"] == 2
    missing = runner.invoke(
        app,
        [*base, "--max-lag-minutes", "150", "--max-gaps", "1000"],
        env={"COINLAKE_PRODUCTS": "BTC-USD,DOGE-USD"},
    )
    assert missing.exit_code == 1
    assert "DOGE-USD: no trades" in missing.stderr


def test_bronze_pending_follows_the_transform_bookmark(tmp_path: Path) -> None:
    from coinlake.app.transform import make_engine
    from coinlake.devtools.bronze_pages import PageSpec, write_trade_pages
    from coinlake.storage.local import LocalStore
    from coinlake.transform.runner import run_transform

    spec = PageSpec(trades=3_000, products=("BTC-USD",), days=1.0)
    written = write_trade_pages(tmp_path, spec)
    settings = Settings(lake=str(tmp_path))
    before = status(settings, now=datetime.now(UTC))
    assert before.bronze_pending == {"coinbase/trades/BTC-USD": written.objects}
    run_transform(LocalStore(tmp_path), make_engine("duckdb"))
    after = status(settings, now=datetime.now(UTC))
    assert after.bronze_pending == {}
    assert after.bronze_total == written.objects
    btc = next(s for s in after.tables if s.table == "silver_trades")
    assert btc.rows == 3_000
    assert btc.gaps == 0


def test_status_json_has_snake_case_keys_and_numbers_as_numbers(lake) -> None:
    root, _ = lake
    done = CliRunner().invoke(app, ["--lake", str(root), "status", "--format", "json"])
    assert done.exit_code == 0, done.stderr
    tables = json.loads(done.stdout)["tables"]
    hourly = next(t for t in tables if t["table"] == "gold_trades_hourly" and t["key"] == "ETH-USD")
    assert set(hourly) == {
        "table", "key", "rows", "partitions", "first_at", "last_at", "freshness_min", "gaps"
    }  # fmt: skip
    assert isinstance(hourly["rows"], int)
    assert isinstance(hourly["partitions"], int)
    assert isinstance(hourly["gaps"], int)
    fresh = [t["freshness_min"] for t in tables if t["freshness_min"] is not None]
    assert fresh
    assert all(isinstance(value, int | float) for value in fresh)
    assert hourly["last_at"].endswith("+00:00")


@pytest.mark.parametrize(("width", "shown"), [(80, False), (140, True)])
def test_status_fits_the_terminal_by_dropping_low_value_columns(
    lake, width: int, shown: bool
) -> None:
    root, _ = lake
    done = CliRunner().invoke(app, ["--lake", str(root), "status"], env={"COLUMNS": str(width)})
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    assert any("gold_trades_hourly" in line for line in lines)  # names are never cut
    assert any("partitions" in line for line in lines) is shown
