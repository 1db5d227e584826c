"""Input checked before anything lands, and a connection that cannot be made fails at once."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.cli.test_entry_point import coinlake

pytestmark = pytest.mark.integration


def bronze_files(lake: Path) -> list[Path]:
    return [p for p in (lake / "bronze").rglob("*") if p.is_file()]


UNKNOWN_NAMES = pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "COINLAKE_COINS",
            "bitcoin,bitcoinz",
            "error: unknown CoinGecko coin id 'bitcoinz' (did you mean bitcoin or bitcoin-cash?) "
            "in coins (COINLAKE_COINS); ids are CoinGecko's, e.g. bitcoin; nothing was fetched",
        ),
        (
            "COINLAKE_VS_CURRENCIES",
            "usd,xyz",
            "error: unknown CoinGecko currency 'xyz' in vs_currencies (COINLAKE_VS_CURRENCIES); "
            "nothing was fetched",
        ),
    ],
    ids=["coin", "currency"],
)


def sandbox_env(sandbox: Any, setting: str, value: str) -> dict[str, str]:
    return {
        "COINLAKE_COINBASE_URL": sandbox.coinbase_url,
        "COINLAKE_COINGECKO_URL": sandbox.coingecko_url,
        "COINLAKE_PRODUCTS": "BTC-USD",
        setting: value,
        "COLUMNS": "300",
    }


@UNKNOWN_NAMES
@pytest.mark.parametrize("source", ["coingecko", "all"])
def test_an_unknown_coin_or_currency_is_a_usage_error_and_lands_nothing(
    sandbox: Any, tmp_path: Path, setting: str, value: str, message: str, source: str
) -> None:
    lake = tmp_path / "lake"
    env = sandbox_env(sandbox, setting, value)
    done = coinlake("--lake", str(lake), "ingest", "--source", source, cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [message]
    assert done.stdout == ""  # no summary table: the run never started
    assert bronze_files(lake) == []  # not even the Coinbase trades of `--source all`


@UNKNOWN_NAMES
def test_run_refuses_an_unknown_coin_or_currency_before_any_step(
    sandbox: Any, tmp_path: Path, setting: str, value: str, message: str
) -> None:
    lake = tmp_path / "lake"
    env = sandbox_env(sandbox, setting, value)
    done = coinlake("--lake", str(lake), "run", "--no-transform", cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [message]
    assert bronze_files(lake) == []


def test_backfill_refuses_an_unknown_coin_before_fetching_its_history(
    sandbox: Any, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    env = sandbox_env(sandbox, "COINLAKE_COINS", "bitcoinz")
    done = coinlake(
        "--lake", str(lake), "backfill", "--source", "coingecko", "--from",
        "2026-11-29T00:00:00Z", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "unknown CoinGecko coin id 'bitcoinz'" in done.stderr
    assert bronze_files(lake) == []


def test_the_sandbox_serves_the_coingecko_lists_in_the_documented_shapes(sandbox: Any) -> None:
    coins = httpx.get(f"{sandbox.coingecko_url}/coins/list").json()
    assert {"id": "bitcoin", "symbol": "btc", "name": "Bitcoin"} in coins
    assert [c["id"] for c in coins] == sorted(c["id"] for c in coins)
    with_platforms = httpx.get(
        f"{sandbox.coingecko_url}/coins/list", params={"include_platform": "true"}
    ).json()
    assert with_platforms[0]["platforms"] == {}
    currencies = httpx.get(f"{sandbox.coingecko_url}/simple/supported_vs_currencies").json()
    assert currencies == ["usd", "eur"]


def test_a_port_nobody_listens_on_fails_the_run_in_seconds(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    env = {
        "COINLAKE_COINBASE_URL": closed,
        "COINLAKE_COINGECKO_URL": closed,
        "COLUMNS": "300",
    }
    started = time.monotonic()
    done = coinlake("--lake", str(tmp_path / "lake"), "ingest", cwd=tmp_path, env=env)
    took = time.monotonic() - started
    assert done.returncode == 1
    assert f"cannot connect to coinbase at {closed}" in done.stdout
    assert f"cannot connect to coingecko at {closed}" in done.stdout
    assert "retrying" not in done.stderr
    assert took < 8, f"took {took:.1f}s"  # the retry policy alone would take 40-60 s
