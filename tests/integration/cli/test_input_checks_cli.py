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


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("COINLAKE_COINS", "bitcoin,bitcoinz", "unknown CoinGecko coin id 'bitcoinz' (did you"),
        ("COINLAKE_VS_CURRENCIES", "usd,xyz", "unknown CoinGecko currency 'xyz'"),
    ],
    ids=["coin", "currency"],
)
def test_an_unknown_coin_or_currency_lands_nothing(
    sandbox: Any, tmp_path: Path, setting: str, value: str, message: str
) -> None:
    lake = tmp_path / "lake"
    env = {"COINLAKE_COINGECKO_URL": sandbox.coingecko_url, setting: value, "COLUMNS": "300"}
    done = coinlake("--lake", str(lake), "ingest", "--source", "coingecko", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert message in done.stdout + done.stderr
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
