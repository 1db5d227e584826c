"""The Lambda handler's event parsing (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coinlake.errors import ConfigError
from coinlake.runtime.lambda_ingest import DEFAULT_MAX_PAGES, IngestRequest, parse_event

EVENTS = Path(__file__).parents[2] / "data" / "events"


def scheduled() -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (EVENTS / "eventbridge_scheduled_coinbase.json").read_text()
    )
    return data


def test_a_scheduled_event_takes_its_source_from_the_rule_name() -> None:
    assert parse_event(scheduled(), {}) == IngestRequest("coinbase", max_pages=DEFAULT_MAX_PAGES)
    event = {**scheduled(), "resources": ["arn:aws:events:x:1:rule/coinlake-coingecko-daily"]}
    assert parse_event(event, {}).source == "coingecko"
    assert parse_event({**scheduled(), "resources": []}, {}).source == "all"


def test_the_environment_overrides_the_rule_name() -> None:
    request = parse_event(scheduled(), {"INGEST_SOURCE": "all", "INGEST_MAX_PAGES": "50"})
    assert request == IngestRequest("all", max_pages=50)


def test_a_manual_event_names_source_products_and_since() -> None:
    request = parse_event({"source": "coinbase", "product": "btc-usd", "since": "2026-11-22"}, {})
    assert request.products == ("BTC-USD",)
    assert request.since == "2026-11-22"
    assert parse_event({"source": "coinbase", "products": ["ETH-USD"]}, {}).products == ("ETH-USD",)


@pytest.mark.parametrize(
    "event",
    [{}, {"source": "kraken"}, {"source": "coinbase", "products": "BTC-USD"},
     {"source": "coinbase", "max_pages": 0}, {"detail-type": "Object Created"}],
)  # fmt: skip
def test_unsupported_events_are_config_errors(event: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        parse_event(event, {})
