"""`coinlake tables`, `describe` and `config` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.cli.test_entry_point import coinlake

pytestmark = pytest.mark.integration


def test_tables_lists_every_table_and_json_has_snake_case_keys(tmp_path: Path) -> None:
    done = coinlake("tables", cwd=tmp_path, env={"COLUMNS": "100"})
    assert done.returncode == 0, done.stderr
    assert "coinlake.gold_prices_daily" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 100
    listed = json.loads(coinlake("tables", "--format", "json", cwd=tmp_path).stdout)
    hourly = next(t for t in listed if t["name"] == "gold_trades_hourly")
    assert hourly["partitioned_by"] == ["product_id", "year"]
    assert set(hourly) == {"name", "layer", "path", "comment", "partitioned_by", "columns"}


def test_describe_shows_columns_types_and_meaning(tmp_path: Path) -> None:
    done = coinlake("describe", "gold_trades_hourly", cwd=tmp_path, env={"COLUMNS": "120"})
    assert done.returncode == 0, done.stderr
    assert "files: gold/trades_hourly/product_id=.../year=.../part-*.parquet" in done.stdout
    assert "missing_trade_ids" in done.stdout
    assert "decimal(18,8)" in done.stdout
    wrong = coinlake("describe", "gold_trades_hourlyy", cwd=tmp_path)
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("error: unknown table 'gold_trades_hourlyy' (did you mean")


def test_config_prints_values_and_their_origins_with_secrets_hidden(tmp_path: Path) -> None:
    (tmp_path / "coinlake.toml").write_text('coins = "bitcoin"\n')
    done = coinlake(
        "--lake", "elsewhere", "config", "--format", "json",
        cwd=tmp_path,
        env={"COINLAKE_COINGECKO_API_KEY": "CG-s3cr3t", "COINLAKE_HTTP_TIMEOUT_S": "4"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "s3cr3t" not in done.stdout
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert rows["lake"] == {
        "name": "lake", "value": "elsewhere", "origin": "--lake", "env_var": "COINLAKE_LAKE"
    }  # fmt: skip
    assert rows["coins"]["value"] == ["bitcoin"]
    assert rows["coins"]["origin"] == "coinlake.toml:coins"
    assert rows["http_timeout_s"]["value"] == 4.0  # a number, not "4"
    assert rows["coingecko_api_key"]["value"] == "(set, hidden)"
    assert rows["engine"]["origin"] == "default"
    table = coinlake("config", cwd=tmp_path, env={"COINLAKE_COINGECKO_API_KEY": "CG-s3cr3t"})
    assert "s3cr3t" not in table.stdout
    assert "(set, hidden)" in table.stdout
