"""The Lambda handler's event parsing (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coinlake.config import Settings, load_settings
from coinlake.errors import ConfigError
from coinlake.runtime.lambda_ingest import IngestRequest, parse_event

DEFAULTS = Settings()
DEFAULT_MAX_PAGES = 3000

EVENTS = Path(__file__).parents[2] / "data" / "events"


def scheduled() -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (EVENTS / "eventbridge_scheduled_coinbase.json").read_text()
    )
    return data


def test_a_scheduled_event_takes_its_source_from_the_rule_name() -> None:
    assert parse_event(scheduled(), DEFAULTS) == IngestRequest(
        "coinbase", max_pages=DEFAULT_MAX_PAGES
    )
    event = {**scheduled(), "resources": ["arn:aws:events:x:1:rule/coinlake-coingecko-daily"]}
    assert parse_event(event, DEFAULTS).source == "coingecko"
    assert parse_event({**scheduled(), "resources": []}, DEFAULTS).source == "all"


def test_the_ingest_source_setting_overrides_the_rule_name() -> None:
    settings = load_settings(
        environ={"COINLAKE_INGEST_SOURCE": "all", "COINLAKE_INGEST_MAX_PAGES": "50"}
    )
    assert parse_event(scheduled(), settings) == IngestRequest("all", max_pages=50)


def test_the_old_environment_names_still_work_and_the_new_ones_win(
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = load_settings(environ={"INGEST_SOURCE": "all", "INGEST_MAX_PAGES": "50"})
    assert parse_event(scheduled(), old) == IngestRequest("all", max_pages=50)
    assert "INGEST_SOURCE is deprecated: set COINLAKE_INGEST_SOURCE instead" in caplog.text
    both = load_settings(environ={"INGEST_MAX_PAGES": "50", "COINLAKE_INGEST_MAX_PAGES": "7"})
    assert both.ingest_max_pages == 7


def test_a_bad_old_environment_value_names_the_old_variable() -> None:
    with pytest.raises(ConfigError, match="INGEST_MAX_PAGES"):
        load_settings(environ={"INGEST_MAX_PAGES": "many"})


def test_a_manual_event_names_source_products_and_since() -> None:
    request = parse_event(
        {"source": "coinbase", "product": "btc-usd", "since": "2026-11-22"}, DEFAULTS
    )
    assert request.products == ("BTC-USD",)
    assert request.since == "2026-11-22"
    assert parse_event({"source": "coinbase", "products": ["ETH-USD"]}, DEFAULTS).products == (
        "ETH-USD",
    )


@pytest.mark.parametrize(
    "event",
    [{}, {"source": "kraken"}, {"source": "coinbase", "products": "BTC-USD"},
     {"source": "coinbase", "max_pages": 0}, {"detail-type": "Object Created"}],
)  # fmt: skip
def test_unsupported_events_are_config_errors(event: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        parse_event(event, DEFAULTS)
