"""Landing responses: envelope under the key, create-only, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coinlake.bronze.keys import InvalidBronzeKeyError
from coinlake.bronze.land import land_response
from coinlake.domain.envelope import EnvelopeMeta, split_envelope
from coinlake.sources.coinbase.keys import trades_page_key
from coinlake.sources.coingecko.keys import simple_price_key
from coinlake.storage.base import ObjectStore

FETCHED = datetime(2026, 11, 22, 17, 0, 0, 123456, tzinfo=UTC)
BODY = b'[{"time":"2026-11-22T16:59:59.1Z","trade_id":1000,"price":"91000.12","size":"0.1"}]'


def _meta(dataset: str = "trades", parse_error: str | None = None) -> EnvelopeMeta:
    return EnvelopeMeta(
        source="coinbase",
        dataset=dataset,
        url="https://api.exchange.coinbase.com/products/BTC-USD/trades",
        params={"limit": "1000"},
        status=200,
        headers={"cb-after": "1000"},
        fetched_at=FETCHED,
        client_version="0.1.0",
        product="BTC-USD",
        parse_error=parse_error,
    )


def test_a_response_lands_once_with_its_envelope(lake_store: ObjectStore) -> None:
    key = trades_page_key("BTC-USD", FETCHED, 1000, 1000)
    first = land_response(lake_store, key, _meta(), BODY)
    assert first.written
    assert first.uri == lake_store.uri(key)
    assert not first.flagged
    envelope = split_envelope(lake_store.get(key))
    assert envelope.body == BODY
    assert envelope.meta["headers"] == {"cb-after": "1000"}
    assert first.size == len(lake_store.get(key))


def test_a_re_landing_is_a_no_op_that_keeps_the_original(lake_store: ObjectStore) -> None:
    key = trades_page_key("BTC-USD", FETCHED, 1000, 1000)
    land_response(lake_store, key, _meta(), BODY)
    original = lake_store.get(key)
    again = land_response(lake_store, key, _meta(), BODY.replace(b"91000.12", b"1"))
    assert not again.written
    assert lake_store.get(key) == original


def test_a_body_that_did_not_parse_is_kept_and_flagged(lake_store: ObjectStore) -> None:
    key = trades_page_key("BTC-USD", FETCHED, 1, 2)
    result = land_response(lake_store, key, _meta(parse_error="truncated"), b'[{"trade_id":1')
    assert result.flagged
    envelope = split_envelope(lake_store.get(key))
    assert envelope.body == b'[{"trade_id":1'
    assert envelope.parse_error == "truncated"


def test_a_key_of_another_dataset_is_refused(lake_store: ObjectStore) -> None:
    with pytest.raises(InvalidBronzeKeyError, match="coingecko/simple_price key"):
        land_response(lake_store, simple_price_key(FETCHED), _meta(), BODY)
    assert list(lake_store.list()) == []
