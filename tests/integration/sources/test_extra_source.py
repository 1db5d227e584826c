"""A source added from outside coinlake: its own package (`tests/fixtures/ticker_source`) and one
registration line. It is then ingested by `app.ingest`, `coinlake ingest --source ticker` and the
Lambda handler, landed under its own Bronze keys and counted in the run summary."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coinlake.app.ingest import ingest, source_choices
from coinlake.bronze.keys import parse_bronze_key
from coinlake.cli.main import app
from coinlake.config import Settings
from coinlake.devtools.fake_clock import FakeClock
from coinlake.domain.envelope import split_envelope
from coinlake.runtime.lambda_ingest import make_handler
from coinlake.sources.registry import REGISTRY
from coinlake.storage.local import LocalStore
from tests.fixtures.ticker_source.server import TickerServer
from tests.fixtures.ticker_source.source import SOURCE

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 22, 10, 0, 1, 250_000, tzinfo=UTC)


@pytest.fixture
def ticker() -> Iterator[TickerServer]:
    REGISTRY.register(SOURCE)  # the one registration line
    try:
        with TickerServer() as server:
            yield server
    finally:
        REGISTRY.unregister(SOURCE.name)


def settings_for(server: TickerServer, lake: Path) -> Settings:
    return Settings(
        lake=str(lake),
        products=("BTC-USD", "ETH-USD"),
        source_options={"ticker": {"url": server.url}},
    )


def test_a_registered_source_is_a_choice_everywhere(ticker: TickerServer) -> None:
    assert source_choices() == ("all", "coinbase", "coingecko", "ticker")
    REGISTRY.unregister("ticker")
    assert "ticker" not in source_choices()
    REGISTRY.register(SOURCE)


def test_a_registered_source_is_ingested_into_its_own_bronze_keys(
    ticker: TickerServer, tmp_path: Path
) -> None:
    settings = settings_for(ticker, tmp_path / "lake")
    store = LocalStore(settings.lake)
    summary = ingest(store, settings, source="ticker", clock=FakeClock(NOW))
    assert summary.status == "succeeded"
    [item] = summary.items
    assert (item.source, item.dataset, item.name) == ("ticker", "quotes", "quotes")
    assert (item.objects_written, item.trades, item.parse_failures) == (1, 2, 0)
    [key] = list(store.list("bronze/"))
    assert key == "bronze/source=ticker/dataset=quotes/date=2026-11-22/20261122T100001.250000Z.json"
    parsed = parse_bronze_key(key)
    assert (parsed.source, parsed.dataset, parsed.fetched_at) == ("ticker", "quotes", NOW)
    envelope = split_envelope(store.get(key))
    assert envelope.meta["source"] == "ticker"
    assert envelope.meta["request"]["params"] == {"symbols": "BTC-USD,ETH-USD"}
    quotes = json.loads(envelope.body)["quotes"]
    assert [q["price"] for q in quotes] == [str(ticker.price(s)) for s in ("BTC-USD", "ETH-USD")]
    again = ingest(store, settings, source="ticker", clock=FakeClock(NOW))
    assert (again.items[0].objects_written, again.items[0].objects_existing) == (0, 1)
    assert ticker.requests == 2


def test_the_cli_and_the_lambda_ingest_a_registered_source(
    ticker: TickerServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = tmp_path / "lake"
    config = tmp_path / "coinlake.toml"
    config.write_text(
        f'[coinlake]\nlake = "{lake}"\n[coinlake.source_options.ticker]\nurl = "{ticker.url}"\n'
    )
    for name in [k for k in os.environ if k.startswith("COINLAKE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("COINLAKE_CONFIG", str(config))
    result = CliRunner().invoke(app, ["ingest", "--source", "ticker"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "quotes quotes" in result.output
    root = logging.getLogger()
    kept = (root.handlers[:], root.level)
    monkeypatch.setattr(root, "handlers", kept[0])  # the handler sets its own: restored after
    handler = make_handler(environ={"COINLAKE_CONFIG": str(config), "COINLAKE_LOG_LEVEL": "INFO"})
    answer = handler({"source": "ticker"}, None)
    assert answer["status"] == "succeeded"
    assert [(i["source"], i["dataset"]) for i in answer["items"]] == [("ticker", "quotes")]
    keys = list(LocalStore(str(lake)).list("bronze/source=ticker/dataset=quotes/"))
    assert len(keys) == 2
    bad = CliRunner().invoke(app, ["ingest", "--source", "tickr"])
    assert bad.exit_code == 2
    words = "".join(c for c in bad.output if c.isalnum() or c in "', ").split()
    assert "'tickr' is not one of all, coinbase, coingecko, ticker" in " ".join(words)
