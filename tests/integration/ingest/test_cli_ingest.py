"""`coinlake ingest`, `coinlake backfill` and `coinlake demo` as users run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coinlake.app.lake import open_lake
from coinlake.bronze.state import read_trade_cursor
from coinlake.cli import common
from coinlake.cli.main import app
from coinlake.config import Settings
from tests.integration.ingest.helpers import bronze_trade_ids, sandbox_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def cli_env(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in [k for k in os.environ if k.startswith("COINLAKE_")]:
        monkeypatch.delenv(name)
    # "now" for the commands is the sandbox's (frozen) time, not the machine's date
    monkeypatch.setattr(common, "clock", sandbox.clock)
    monkeypatch.setenv("COINLAKE_COINBASE_URL", sandbox.coinbase_url)
    monkeypatch.setenv("COINLAKE_COINGECKO_URL", sandbox.coingecko_url)
    monkeypatch.setenv("COINLAKE_COINBASE_REQUESTS_PER_SECOND", "100")
    monkeypatch.setenv("COINLAKE_COINBASE_BURST", "100")
    return sandbox


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_ingest_prints_a_summary_table_and_lands_every_product(
    cli_env: Any, tmp_path: Path
) -> None:
    lake = str(tmp_path / "lake")
    result = invoke(
        "--lake", lake, "ingest", "--product", "BTC-USD,ETH-USD", "--since", "2026-11-22T11:00:00Z"
    )
    assert result.exit_code == 0, result.output
    for text in ("coinlake ingest", "succeeded", "trades BTC-USD", "trades ETH-USD",
                 "simple_price", "first id", "gap filled", "run record: _state/runs/"):  # fmt: skip
        assert text in result.output
    store = open_lake(sandbox_settings(cli_env, lake))
    assert read_trade_cursor(store, "coinbase", "trades", "BTC-USD") is not None
    assert read_trade_cursor(store, "coinbase", "trades", "SOL-USD") is None  # not asked for


def test_an_unparsable_page_exits_non_zero_with_the_summary(cli_env: Any, tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    assert invoke("--lake", lake, "ingest", "--source", "coinbase").exit_code == 0
    cli_env.clock.advance(3600)
    cli_env.faults.add("truncate", "coinbase.trades", times=3)  # BTC-USD, the first product
    result = invoke("--lake", lake, "ingest", "--source", "coinbase")
    assert result.exit_code == 1
    assert "trades BTC-USD" in result.output and "failed" in result.output
    assert "unparsable response landed (flagged)" in result.output
    assert "trades SOL-USD" in result.output
    store = open_lake(sandbox_settings(cli_env, lake))
    seen = bronze_trade_ids(store, "SOL-USD")
    cursor = read_trade_cursor(store, "coinbase", "trades", "SOL-USD")
    assert cursor is not None and max(seen) == cursor.last_trade_id


def test_backfill_with_candles_from_a_date(cli_env: Any, tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    result = invoke(
        "--lake", lake, "backfill", "--product", "ETH-USD", "--from", "2026-11-22T10:30:00Z",
        "--to", "2026-11-22T11:30:00Z", "--candles", "--granularity", "300",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "trades ETH-USD" in result.output and "candles ETH-USD" in result.output
    store = open_lake(sandbox_settings(cli_env, lake))
    assert len(bronze_trade_ids(store, "ETH-USD")) == len(
        [t for t in cli_env.market.trades("ETH-USD")
         if (t.time.hour, t.time.minute) >= (10, 30) and (t.time.hour, t.time.minute) < (11, 30)]
    )  # fmt: skip
    again = invoke(
        "--lake", lake, "backfill", "--product", "ETH-USD", "--from", "2026-11-22T10:30:00Z",
        "--to", "2026-11-22T11:30:00Z",
    )  # fmt: skip
    assert "already complete" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "--since", "yesterday"], "error: --since 'yesterday' is not a date or time"),
        (["backfill", "--from", "2026-02-01", "--to", "2026-01-01"], "error: --to 2026-01-01"),
        (["backfill", "--from", "2026-13-01"], "error: --from '2026-13-01'"),
        (["ingest", "--product", "BTCUSD"], "error: invalid setting --products"),
        (["backfill", "--from", "2026-01-01", "--candles", "--granularity", "7"], "error: --gra"),
    ],
)
def test_bad_flags_give_one_error_line(tmp_path: Path, args: list[str], message: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COINLAKE_")}
    done = subprocess.run(
        [sys.executable, "-m", "coinlake", "--lake", str(tmp_path / "lake"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_the_demo_runs_twice_on_a_small_market(tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    args = ("--lake", lake, "demo", "--hours", "1", "--products", "BTC-USD,ETH-USD",
            "--history-days", "0.1", "--trades-per-minute", "20",
            "--step-minutes", "90")  # fmt: skip
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert (tmp_path / "lake" / "coinlake-report.html").is_file()
    assert "silver.trades" in first.output and "report:" in first.output
    second = invoke(*args)
    assert second.exit_code == 0, second.output
    store = open_lake(Settings(lake=lake))
    seen = bronze_trade_ids(store, "BTC-USD")
    assert set(seen) == set(range(min(seen), max(seen) + 1))
    assert max(seen.values()) == 1
    assert max(seen) - min(seen) + 1 > 20 * 60 * 2  # the first hour plus 90 minutes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "--product", "BTC-USDT"], "error: unknown Coinbase product 'BTC-USDT'"),
        (["backfill", "--product", "DOGE-USD", "--from", "2026-11-22"], "error: unknown Coinb"),
        (["backfill", "--from", "2999-01-01"], "error: --from 2999-01-01T00:00:00Z is in the"),
        (["ingest", "--since", "2999-01-01T10:00:00Z"], "error: --since 2999-01-01T10:00:00Z is"),
        (["--lake", "{file}/lake", "ingest"], "error: lake '{file}/lake' cannot be created"),
        (["--lake", "s3://no-such-bucket/lake", "ingest"], "error: S3 bucket 'no-such-bucket'"),
    ],
    ids=[
        "unknown-product",
        "unknown-backfill-product",
        "future-from",
        "future-since",
        "lake-in-a-file",
        "bucket",
    ],
)
def test_user_mistakes_against_the_running_sandbox_are_one_error_line(
    sandbox: Any, moto_s3_endpoint: str, tmp_path: Path, args: list[str], message: str
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COINLAKE_", "AWS_"))}
    env.update(
        COINLAKE_LAKE=str(tmp_path / "lake"),
        COINLAKE_COINBASE_URL=sandbox.coinbase_url,
        COINLAKE_COINGECKO_URL=sandbox.coingecko_url,
        COINLAKE_S3_ENDPOINT_URL=moto_s3_endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    done = subprocess.run(
        [sys.executable, "-m", "coinlake", *(a.format(file=a_file) for a in args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(message.format(file=a_file)), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "lake").exists()  # refused before anything was written
