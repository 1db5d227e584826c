"""Every fault the sandbox injects: retried (no page lost) or landed flagged and reported."""

from __future__ import annotations

from typing import Any

import pytest

from coinlake.bronze.keys import parse_bronze_key
from coinlake.bronze.state import read_trade_cursor
from coinlake.domain.envelope import split_envelope
from coinlake.storage.factory import open_store
from tests.integration.ingest.helpers import bronze_trade_ids, ingest, item, sandbox_settings

pytestmark = pytest.mark.integration


def primed(sb: Any, tmp_path: Any, products: str = "BTC-USD") -> tuple[Any, Any]:
    """A lake with cursors, then three hours of new trades (several pages per product)."""
    settings = sandbox_settings(sb, str(tmp_path / "lake"), products=products, http_timeout_s=0.5)
    store = open_store(settings)
    ingest(sb, store, settings, source="coinbase")
    sb.clock.advance(3 * 3600)
    return settings, store


def assert_gapless(store: Any, product: str) -> None:
    seen = bronze_trade_ids(store, product)
    cursor = read_trade_cursor(store, "coinbase", "trades", product)
    assert cursor is not None
    assert set(seen) == set(range(min(seen), cursor.last_trade_id + 1))
    assert max(seen.values()) == 1


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "status", "status": 503},
        {"kind": "status", "status": 502},
        {"kind": "rate_limit"},
        {"kind": "rate_limit", "retry_after": 2},
        {"kind": "reset"},
        {"kind": "timeout", "seconds": 1.0},
        {"kind": "html"},
        {"kind": "delay", "seconds": 0.1},
        {"kind": "duplicate_trades"},
        {"kind": "out_of_order_trades"},
        {"kind": "numbers_as_strings"},  # trade ids as digit strings: accepted as they are
    ],
    ids=lambda rule: "-".join(str(v) for v in rule.values()),
)
def test_transient_faults_are_retried_and_no_page_is_lost(
    sandbox: Any, tmp_path: Any, rule: dict[str, Any]
) -> None:
    settings, store = primed(sandbox, tmp_path)
    before = read_trade_cursor(store, "coinbase", "trades", "BTC-USD")
    calls = sandbox.faults._calls.get("coinbase.trades", 0)
    sandbox.faults.add(rule.pop("kind"), "coinbase.trades", calls=[calls + 2, calls + 3], **rule)
    summary = ingest(sandbox, store, settings, source="coinbase")
    assert not summary.failed, summary.items
    assert len(sandbox.faults.fired) == 2
    btc = item(summary, "BTC-USD")
    assert btc.pages >= 3
    assert_gapless(store, "BTC-USD")
    after = read_trade_cursor(store, "coinbase", "trades", "BTC-USD")
    assert before is not None and after is not None
    assert btc.trades == after.last_trade_id - before.last_trade_id  # each new id counted once


@pytest.mark.parametrize(
    "kind", ["truncate", "wrong_shape", "drop_field", "rename_field", "strings_as_numbers"]
)
def test_a_page_that_does_not_parse_once_is_landed_flagged_refetched_and_reported(
    sandbox: Any, tmp_path: Any, kind: str
) -> None:
    settings, store = primed(sandbox, tmp_path)
    calls = sandbox.faults._calls.get("coinbase.trades", 0)
    sandbox.faults.add(kind, "coinbase.trades", calls=[calls + 3])
    summary = ingest(sandbox, store, settings, source="coinbase")
    btc = item(summary, "BTC-USD")
    assert btc.status == "ok"
    assert btc.parse_failures == 1
    assert summary.failed  # reported: the CLI exits non-zero
    (key,) = btc.unparsed_keys
    assert parse_bronze_key(key).unparsed
    envelope = split_envelope(store.get(key))
    assert envelope.meta["parse_error"]
    assert envelope.body  # the body as received
    assert_gapless(store, "BTC-USD")


def test_a_product_whose_pages_never_parse_fails_and_the_others_go_on(
    sandbox: Any, tmp_path: Any
) -> None:
    settings, store = primed(sandbox, tmp_path, products="BTC-USD,ETH-USD")
    sandbox.faults.add("wrong_shape", "coinbase.trades", times=3)  # BTC-USD runs first
    summary = ingest(sandbox, store, settings, source="coinbase")
    btc, eth = item(summary, "BTC-USD"), item(summary, "ETH-USD")
    assert btc.status == "failed" and btc.error
    assert btc.parse_failures >= 1 and btc.unparsed_keys
    assert eth.status == "ok" and eth.parse_failures == 0
    assert_gapless(store, "ETH-USD")
    assert summary.failed and summary.status == "partial"
    sandbox.faults.clear()
    healed = ingest(sandbox, store, settings, source="coinbase")
    assert not healed.failed
    assert_gapless(store, "BTC-USD")


def test_an_api_that_keeps_failing_fails_the_product_not_the_run(
    sandbox: Any, tmp_path: Any
) -> None:
    settings, store = primed(sandbox, tmp_path, products="BTC-USD,ETH-USD")
    sandbox.faults.add("status", "coinbase.trades", status=503, times=5)  # > retry_attempts
    summary = ingest(sandbox, store, settings, source="coinbase")
    assert item(summary, "BTC-USD").status == "failed"
    assert "503" in (item(summary, "BTC-USD").error or "")
    assert item(summary, "ETH-USD").status == "ok"


def test_a_coingecko_snapshot_that_does_not_parse_is_landed_flagged(
    sandbox: Any, tmp_path: Any
) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"))
    store = open_store(settings)
    sandbox.faults.add("numbers_as_strings", "coingecko.simple_price", times=1)
    summary = ingest(sandbox, store, settings, source="coingecko")
    snapshot = item(summary, "simple_price", "simple_price")
    assert snapshot.parse_failures == 1 and summary.failed
    (key,) = list(store.list("bronze/source=coingecko/"))
    assert split_envelope(store.get(key)).meta["parse_error"]


@pytest.mark.parametrize(
    "rule",
    [{"kind": "status", "status": 503}, {"kind": "reset"}, {"kind": "truncate"}],
    ids=["503", "reset", "truncate"],
)
def test_a_fault_on_the_newest_trade_probe_loses_nothing(
    sandbox: Any, tmp_path: Any, rule: dict[str, Any]
) -> None:
    settings, store = primed(sandbox, tmp_path)
    calls = sandbox.faults._calls.get("coinbase.trades", 0)
    kind = rule.pop("kind")
    sandbox.faults.add(kind, "coinbase.trades", calls=[calls + 1], **rule)
    summary = ingest(sandbox, store, settings, source="coinbase")
    btc = item(summary, "BTC-USD")
    assert len(sandbox.faults.fired) == 1
    assert btc.status == "ok", btc
    flagged = 1 if kind == "truncate" else 0  # landed flagged, asked again; else retried
    assert (btc.parse_failures, len(btc.unparsed_keys)) == (flagged, flagged)
    assert all(parse_bronze_key(key).unparsed for key in btc.unparsed_keys)
    assert_gapless(store, "BTC-USD")
    cursor = read_trade_cursor(store, "coinbase", "trades", "BTC-USD")
    assert cursor is not None and cursor.last_trade_id == sandbox.market.newest_trade_id("BTC-USD")


def test_random_faults_of_every_kind_over_many_runs_never_lose_or_repeat_a_trade(
    sandbox: Any, tmp_path: Any
) -> None:
    settings, store = primed(sandbox, tmp_path, products="BTC-USD,ETH-USD")
    kinds: list[dict[str, Any]] = [
        {"kind": "status", "status": 503},
        {"kind": "status", "status": 500},
        {"kind": "rate_limit", "retry_after": 1},
        {"kind": "rate_limit"},
        {"kind": "reset"},
        {"kind": "html"},
        {"kind": "truncate"},
        {"kind": "wrong_shape"},
        {"kind": "drop_field"},
        {"kind": "duplicate_trades"},
        {"kind": "out_of_order_trades"},
    ]
    for rule in kinds:
        sandbox.faults.add(rule.pop("kind"), "coinbase.trades", probability=0.04, **rule)
    for _ in range(4):  # runs every half hour through the storm
        summary = ingest(sandbox, store, settings, source="coinbase")
        assert {i.status for i in summary.items} <= {"ok", "failed"}
        sandbox.clock.advance(1800)
    fired = {fault.kind for fault in sandbox.faults.fired}
    assert len(fired) >= 6, fired  # the storm really hit
    sandbox.faults.clear()
    final = ingest(sandbox, store, settings, source="coinbase")
    assert not final.failed, final.items
    for product in ("BTC-USD", "ETH-USD"):
        assert_gapless(store, product)
        seen = bronze_trade_ids(store, product)
        assert max(seen) == sandbox.market.newest_trade_id(product)


def _other_endpoint_run(sb: Any, store: Any, settings: Any, endpoint: str) -> Any:
    from datetime import timedelta

    from tests.integration.ingest.helpers import backfill

    start = sb.clock.now() - timedelta(hours=2)
    if endpoint == "coingecko.simple_price":
        return ingest(sb, store, settings, source="coingecko")
    if endpoint == "coinbase.candles":
        return backfill(sb, store, settings, start_at=start, trades=False, candles_granularity_s=60)
    return backfill(sb, store, settings, source="coingecko", start_at=start)


@pytest.mark.parametrize(
    "endpoint", ["coingecko.simple_price", "coinbase.candles", "coingecko.market_chart_range"]
)
@pytest.mark.parametrize("kind", ["status", "rate_limit", "truncate"])
def test_faults_on_snapshots_candles_and_history_are_retried_or_landed_flagged(
    sandbox: Any, tmp_path: Any, endpoint: str, kind: str
) -> None:
    settings = sandbox_settings(
        sandbox, str(tmp_path / "lake"), products="BTC-USD", coins="bitcoin", vs_currencies="usd"
    )
    store = open_store(settings)
    options = {"status": 503} if kind == "status" else {}
    sandbox.faults.add(kind, endpoint, calls=[1], **options)
    summary = _other_endpoint_run(sandbox, store, settings, endpoint)
    assert len(sandbox.faults.fired) == 1
    (result,) = summary.items
    keys = sorted(store.list("bronze/"))
    if kind == "truncate":  # landed flagged, reported (non-zero exit), the run went on
        assert result.parse_failures == 1 and summary.failed
        ranged = endpoint != "coingecko.simple_price"  # snapshots are keyed by fetch time
        assert any(parse_bronze_key(k).unparsed for k in keys) == ranged
        assert split_envelope(store.get(result.unparsed_keys[0])).meta["parse_error"]
        # the flagged copy does not hold the key the parsed response lands on: a re-run lands it
        sandbox.clock.advance(1)
        again = _other_endpoint_run(sandbox, store, settings, endpoint)
        assert not again.failed and again.items[0].objects_written == 1
        keys = sorted(store.list("bronze/"))
        assert sum(not parse_bronze_key(k).unparsed for k in keys) >= 1
    else:  # retried: every response landed and parsed
        assert not summary.failed, result
        assert result.parse_failures == 0 and result.trades > 0
        assert not any(parse_bronze_key(k).unparsed for k in keys)
        assert result.objects_written == len(keys) >= 1
