"""`coinlake init` and `coinlake state show|reset` as an operator runs them."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from coinlake.bronze.state import read_trade_cursor, reset_trade_cursor
from coinlake.storage.local import LocalStore
from tests.integration.cli.test_entry_point import coinlake

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def test_init_writes_a_commented_settings_file_and_the_lake(tmp_path: Path) -> None:
    done = coinlake("init", "site", cwd=tmp_path, env={"COINLAKE_PRODUCTS": "BTC-USD"})
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "site/coinlake.toml").read_text()
    assert "# IANA time zone the cron schedules are read in" in text
    assert "# coingecko_api_key_parameter = " in text  # optional ones are there, commented out
    settings = tomllib.loads(text)["coinlake"]
    assert settings["lake"] == "./lake"
    assert settings["products"] == ["BTC-USD"]
    assert sorted(p.name for p in (tmp_path / "site/lake").iterdir()) == [
        "_state", "bronze", "gold", "quarantine", "silver"
    ]  # fmt: skip
    # the file is what the next command reads, and the lake it names exists
    config = coinlake("config", "--format", "json", cwd=tmp_path / "site")
    rows = {row["name"]: row for row in json.loads(config.stdout)}
    assert rows["products"]["origin"] == "coinlake.toml:products"


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "coinlake.toml").write_text("# mine\n")
    done = coinlake("init", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: coinlake.toml exists; pass --force to overwrite it"
    assert (tmp_path / "coinlake.toml").read_text() == "# mine\n"
    forced = coinlake("init", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "lake = " in (tmp_path / "coinlake.toml").read_text()


def test_a_cursor_ahead_names_the_reset_command_and_that_command_fixes_it(
    sandbox: Any, tmp_path: Path
) -> None:
    """The demo lake against a freshly started sandbox: the cursor is past the API's newest id."""
    lake = tmp_path / "lake"
    lake.mkdir()
    store = LocalStore(lake)
    reset_trade_cursor(store, "coinbase", "trades", "BTC-USD", 10**12, now=NOW)
    env = {"COINLAKE_COINBASE_URL": sandbox.coinbase_url, "COINLAKE_PRODUCTS": "BTC-USD"}
    ingest = ("--lake", str(lake), "ingest", "--source", "coinbase")
    failed = coinlake(*ingest, cwd=tmp_path, env={**env, "COLUMNS": "300"})
    assert failed.returncode == 1
    command = re.search(r"`(coinlake --lake \S+ state reset cursor BTC-USD)`", failed.stdout)
    assert command is not None, failed.stdout

    shown = json.loads(coinlake("--lake", str(lake), "state", "show", "--format", "json",
                                cwd=tmp_path).stdout)  # fmt: skip
    cursors = [e for e in shown["entries"] if e["kind"] == "cursor"]
    assert cursors == [
        {
            "kind": "cursor",
            "name": "BTC-USD",
            "key": "_state/cursors/coinbase/trades/product=BTC-USD.json",
            "last_trade_id": 10**12,
            "updated_at": "2026-11-22T12:00:00.000000Z",
        }
    ]
    # without --yes and without a terminal, nothing is deleted
    refused = coinlake(*shlex.split(command.group(1))[1:], cwd=tmp_path)
    assert refused.returncode == 2
    assert "pass --yes" in refused.stderr
    assert read_trade_cursor(store, "coinbase", "trades", "BTC-USD") is not None
    reset = coinlake(*shlex.split(command.group(1))[1:], "--yes", cwd=tmp_path)
    assert reset.returncode == 0, reset.stderr
    assert "deleted 1 state document(s)" in reset.stdout
    assert read_trade_cursor(store, "coinbase", "trades", "BTC-USD") is None

    again = coinlake(*ingest, cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    cursor = read_trade_cursor(store, "coinbase", "trades", "BTC-USD")
    assert cursor is not None
    assert cursor.last_trade_id < 10**12


def test_state_reset_of_an_unknown_name_lists_what_there_is(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    reset_trade_cursor(LocalStore(lake), "coinbase", "trades", "ETH-USD", 5, now=NOW)
    done = coinlake("--lake", str(lake), "state", "reset", "cursor", "BTC-USD", "-y", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: no cursor for BTC-USD (there is: ETH-USD)"
    wrong = coinlake("--lake", str(lake), "state", "reset", "cursors", cwd=tmp_path)
    assert wrong.returncode == 2
    assert "choose one of cursor, walk, backfill, lease, bookmark, cache" in wrong.stderr
