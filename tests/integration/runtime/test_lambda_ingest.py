"""The ingest Lambda handler in a fresh interpreter that cannot import duckdb, pyarrow, pandas,
pyspark nor the CLI's rich and typer (its package does not carry them): a recorded EventBridge
scheduled event and a manual event, against the sandbox, writing to the moto S3 bucket, with JSON
logs and the success line per upload."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coinlake.app.lake import open_lake
from coinlake.bronze.keys import parse_bronze_key
from coinlake.bronze.state import read_trade_cursor
from coinlake.config import Settings

pytestmark = pytest.mark.integration

EVENTS = Path(__file__).parents[2] / "data" / "events"
HEAVY = ("duckdb", "pyarrow", "pandas", "pyspark", "polars", "rich", "typer", "click", "pygments")

RUNNER = """
import importlib.abc, json, sys

HEAVY = set(sys.argv[1].split(","))


class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HEAVY:
            raise ImportError(f"the ingest Lambda must not import {name}")
        return None


sys.meta_path.insert(0, Block())
from coinlake.runtime import lambda_ingest


class Context:
    function_name = "coinlake-ingest"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:coinlake-ingest"

    def __init__(self, request_id):
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self):
        return 300_000


for number, path in enumerate(sys.argv[2:]):
    with open(path) as handle:
        event = json.load(handle)
    result = lambda_ingest.handler(event, Context(f"request-{number}"))
    print("RESULT " + json.dumps(result))
loaded = sorted({m.partition(".")[0] for m in sys.modules} & HEAVY)
print("HEAVY " + json.dumps(loaded))
"""


def lambda_env(sandbox: Any, s3_lake: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COINLAKE_")}
    env.update(
        COINLAKE_LAKE=s3_lake.uri,
        COINLAKE_S3_ENDPOINT_URL=s3_lake.endpoint_url,
        COINLAKE_COINBASE_URL=sandbox.coinbase_url,
        COINLAKE_COINGECKO_URL=sandbox.coingecko_url,
        COINLAKE_PRODUCTS="BTC-USD,ETH-USD",
        COINLAKE_COINBASE_REQUESTS_PER_SECOND="50",
        COINLAKE_COINBASE_BURST="50",
    )
    return env


def test_the_handler_ingests_a_scheduled_event_into_s3_without_heavy_imports(
    sandbox: Any, s3_lake: Any
) -> None:
    events = [EVENTS / "eventbridge_scheduled_coinbase.json", EVENTS / "manual_coingecko.json"]
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, ",".join(HEAVY), *map(str, events)],
        env=lambda_env(sandbox, s3_lake),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert json.loads(next(line for line in lines if line.startswith("HEAVY "))[6:]) == []
    results = [json.loads(line[7:]) for line in lines if line.startswith("RESULT ")]
    assert [r["status"] for r in results] == ["succeeded", "succeeded"]
    assert [i["name"] for i in results[0]["items"]] == ["BTC-USD", "ETH-USD"]
    assert [i["name"] for i in results[1]["items"]] == ["simple_price"]

    logs = [json.loads(line) for line in lines if line.startswith("{")]
    assert logs, done.stdout
    uploads = [r["message"] for r in logs if r["message"].startswith("Successfully uploaded")]
    store = open_lake(s3_lake.settings())
    keys = sorted(store.list("bronze/"))
    assert len(keys) == 3
    for key in keys:
        parse_bronze_key(key)
        assert f"Successfully uploaded data to s3://{s3_lake.bucket}/lake/{key}" in uploads
    assert {r.get("aws_request_id") for r in logs} >= {"request-0", "request-1"}
    for product in ("BTC-USD", "ETH-USD"):
        assert read_trade_cursor(store, "coinbase", "trades", product) is not None


def test_a_run_that_fails_raises_after_logging(sandbox: Any, s3_lake: Any) -> None:
    sandbox.faults.add("wrong_shape", "coinbase.trades")
    event = {"source": "coinbase", "product": "BTC-USD"}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER.replace("json.load(handle)", repr(event)), "x", os.devnull],
        env=lambda_env(sandbox, s3_lake),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "IngestFailedError" in done.stderr
    assert "BTC-USD" in done.stderr
    logs = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    errors = [r for r in logs if r["level"] == "ERROR"]
    assert any("failed for trades BTC-USD" in r["message"] for r in errors), errors
    assert all(r.get("aws_request_id") == "request-0" for r in errors)
    assert not any(line.startswith("RESULT ") for line in done.stdout.splitlines())
    store = open_lake(s3_lake.settings())
    keys = list(store.list("bronze/"))
    assert keys and all(parse_bronze_key(k).unparsed for k in keys)  # landed, flagged


def test_a_bad_event_is_logged_as_json_and_raised(sandbox: Any, s3_lake: Any) -> None:
    event = {"source": "binance"}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER.replace("json.load(handle)", repr(event)), "x", os.devnull],
        env=lambda_env(sandbox, s3_lake),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "ConfigError" in done.stderr
    logs = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    (failure,) = [r for r in logs if r["level"] == "ERROR"]
    assert failure["message"] == "ingest failed"
    assert "binance" in json.dumps(failure)  # the exception, in the structured record
    assert failure["aws_request_id"] == "request-0"


def test_the_handler_takes_its_clients_through_a_seam_in_process(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coinlake.ingest.run import Sources
    from coinlake.runtime.lambda_ingest import make_handler

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", root.handlers[:])  # the handler installs its own
    opened: list[Sources] = []

    def on_the_sandbox_clock(settings: Any, clock: Any) -> Sources:
        opened.append(Sources(settings, clock=sandbox.clock))
        return opened[-1]

    lake = tmp_path / "lake"
    environ = {
        "COINLAKE_LAKE": str(lake),
        "COINLAKE_COINBASE_URL": sandbox.coinbase_url,
        "COINLAKE_COINGECKO_URL": sandbox.coingecko_url,
        "COINLAKE_PRODUCTS": "BTC-USD",
        "COINLAKE_INGEST_MAX_PAGES": "2",
    }
    handler = make_handler(sources=on_the_sandbox_clock, environ=environ)
    event = json.loads((EVENTS / "eventbridge_scheduled_coinbase.json").read_text())
    result = handler(event, None)
    assert result["status"] == "succeeded"
    assert [(i["source"], i["name"]) for i in result["items"]] == [("coinbase", "BTC-USD")]
    assert len(opened) == 1
    store = open_lake(Settings(lake=str(lake)))
    assert read_trade_cursor(store, "coinbase", "trades", "BTC-USD") is not None
    assert all(parse_bronze_key(k).source == "coinbase" for k in store.list("bronze/"))
