"""Output a person reads (tables that fit the terminal) and a machine reads (`--format json`),
from the real entry point against the API sandbox."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.integration.cli.test_entry_point import coinlake

pytestmark = pytest.mark.integration

SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def env_for(sandbox: Any, columns: int) -> dict[str, str]:
    return {
        "COINLAKE_COINBASE_URL": sandbox.coinbase_url,
        "COINLAKE_COINGECKO_URL": sandbox.coingecko_url,
        "COINLAKE_PRODUCTS": "BTC-USD,ETH-USD",
        "COINLAKE_COINS": "bitcoin,ethereum",
        "COINLAKE_VS_CURRENCIES": "usd,eur",
        "COLUMNS": str(columns),
    }


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def keys_of(document: object) -> set[str]:
    """Every object key in a JSON document, at any depth."""
    if isinstance(document, dict):
        return set(document).union(*(keys_of(v) for v in document.values()))
    if isinstance(document, list):
        return set().union(*(keys_of(v) for v in document))
    return set()


def parquet_rows(folder: Path) -> int:
    [(count,)] = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet')"
    ).fetchall()
    return int(count)


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_every_table_fits_the_terminal_and_keeps_its_key_columns(
    sandbox: Any, tmp_path: Path, columns: int
) -> None:
    lake = str(tmp_path / "lake")
    env = env_for(sandbox, columns)

    def run(*args: str) -> str:
        done = coinlake("--lake", lake, *args, cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert widest(done.stdout) <= columns, f"{args}:\n{done.stdout}"
        return done.stdout

    ingested = run("ingest")
    for item in ("trades BTC-USD", "trades ETH-USD", "simple_price simple_price"):
        assert item in ingested
    header = next(line for line in ingested.splitlines() if line.split()[:2] == ["item", "status"])
    assert "records" in header and "written" in header  # the counts are kept
    if columns < 100:  # low-value columns go, and the line under the table says which
        assert "first id" not in header
        assert "not shown at 80 columns: kept, first id, last id, gap filled" in ingested
    if columns >= 160:
        assert "first id" in header and "not shown" not in ingested
    transformed = run("transform")
    for table in ("silver.trades", "silver.prices", "gold.trades_hourly", "gold.prices_daily"):
        assert table in transformed
    assert "rows in" in transformed and "written" in transformed
    queried = run(
        "query",
        "SELECT product_id, hour, open, high, low, close, vwap, volume, notional, buy_volume, "
        "sell_volume, trade_count FROM coinlake.gold_trades_hourly ORDER BY product_id, hour",
    )
    hourly = f"read_parquet('{lake}/gold/trades_hourly/**/*.parquet')"
    opens = duckdb.sql(f"SELECT product_id, open FROM {hourly}").fetchall()
    for product, price in opens:  # the first column is never dropped, numbers never cut
        assert re.search(rf"{product} .* {price:f} ", queried), queried
    assert f"not shown at {columns} columns:" in queried  # what is left out is named
    status = run("status")
    assert "gold_trades_hourly" in status and "BTC-USD" in status
    checked = run("quality", "--no-write")
    assert "completeness_trades" in checked
    state = run("state", "show")
    assert "BTC-USD" in state and "cursor" in state


def test_every_summary_command_prints_one_json_document_with_exact_numbers(
    sandbox: Any, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    env = env_for(sandbox, 80)

    def document(*args: str, code: int = 0) -> Any:
        done = coinlake("--lake", str(lake), *args, "--format", "json", cwd=tmp_path, env=env)
        assert done.returncode == code, done.stdout + done.stderr
        parsed = json.loads(done.stdout, parse_float=Decimal)  # stdout is the document alone
        assert all(SNAKE.match(key) for key in keys_of(parsed)), keys_of(parsed)
        return parsed

    ingested = document("ingest")
    items = {(item["dataset"], item["name"]): item for item in ingested["items"]}
    assert ingested["status"] == "succeeded" and ingested["command"] == "ingest"
    trades = items[("trades", "BTC-USD")]
    assert trades["unit"] == "trades" and trades["records"] > 0
    assert isinstance(trades["first_id"], int) and trades["last_id"] >= trades["first_id"]
    assert items[("simple_price", "simple_price")]["unit"] == "quotes"
    assert items[("simple_price", "simple_price")]["records"] == 4  # 2 coins x 2 currencies

    transformed = {t["table"]: t for t in document("transform")["tables"]}
    silver, gold = transformed["silver.trades"], transformed["gold.trades_hourly"]
    silver_rows = parquet_rows(lake / "silver" / "trades")
    assert silver["rows_written"] == silver_rows > 0
    assert gold["rows_in"] == silver_rows  # Gold read every Silver row of its partitions
    assert gold["rows_written"] == parquet_rows(lake / "gold" / "trades_hourly") > 0
    assert isinstance(silver["seconds"], Decimal)  # a number, not a string

    rows = document("query", "SELECT product_id, vwap, volume FROM coinlake.gold_trades_hourly")
    hourly = f"read_parquet('{lake}/gold/trades_hourly/**/*.parquet')"
    exact = duckdb.sql(f"SELECT product_id, vwap, volume FROM {hourly}").fetchall()
    assert sorted((r["product_id"], r["vwap"], r["volume"]) for r in rows) == sorted(exact)

    quality = document("quality", "--no-write")
    assert quality["checks"] == len(quality["summary"]) > 0
    state = document("state", "show")
    assert {e["kind"] for e in state["entries"]} >= {"cursor", "bookmark"}
    passed = document("run")
    assert passed["outcome"] == "ok"
    assert [step["step"] for step in passed["steps"]] == ["coinbase", "coingecko", "transform"]
    assert all(step["ok"] and step["seconds"] >= 0 for step in passed["steps"])


def test_a_json_run_that_fails_still_prints_its_document_and_exits_non_zero(
    sandbox: Any, tmp_path: Path
) -> None:
    env = {**env_for(sandbox, 80), "COINLAKE_COINBASE_URL": "http://127.0.0.1:9"}
    done = coinlake(
        "--lake", str(tmp_path / "lake"), "ingest", "--format", "json", cwd=tmp_path, env=env
    )
    assert done.returncode == 1
    document = json.loads(done.stdout)
    failed = [item for item in document["items"] if item["status"] == "failed"]
    assert {item["name"] for item in failed} == {"BTC-USD", "ETH-USD"}
    assert all("cannot connect to coinbase" in item["error"] for item in failed)
    assert document["status"] == "partial"


def test_a_format_that_is_not_table_or_json_is_one_error_line(tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    for command in (["ingest"], ["transform"], ["run"], ["backfill", "--from", "2026-01-01"]):
        done = coinlake("--lake", lake, *command, "--format", "xml", cwd=tmp_path)
        assert done.returncode == 2, command
        assert done.stderr.strip().splitlines() == [
            "error: --format must be one of table, json, not 'xml'"
        ]
    repair = coinlake(
        "--lake", lake, "backfill", "--repair-gaps", "--format", "json", cwd=tmp_path
    )  # fmt: skip
    assert repair.returncode == 2
    assert repair.stderr.strip() == "error: --repair-gaps prints a table only: drop --format json"
