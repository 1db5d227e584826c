"""Incremental Coinbase trades into Bronze against the sandbox: keys, envelopes, gaps, re-runs."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import httpx
import pytest

import coinlake
from coinlake.app.lake import open_lake
from coinlake.bronze.keys import parse_bronze_key
from coinlake.bronze.state import read_progress, read_run_records, read_trade_cursor
from coinlake.domain.envelope import split_envelope
from coinlake.ingest.run import RunOptions
from coinlake.ingest.since import parse_since
from coinlake.sources.coinbase.keys import trades_page_key
from coinlake.sources.coinbase.parse import parse_trades
from coinlake.sources.coingecko.parse import parse_simple_price
from tests.integration.ingest.helpers import (
    bronze_trade_ids,
    ingest,
    item,
    sandbox_settings,
    trade_keys,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def lake(lake_store: Any) -> Any:
    """A lake on both backends (local folder and moto S3)."""
    return lake_store


def settings_of(sb: Any, store: Any, **overrides: Any) -> Any:
    uri = store.uri()
    if uri.startswith("s3://"):
        return sandbox_settings(
            sb,
            uri.rstrip("/"),
            s3_endpoint_url=store.client.meta.endpoint_url,
            **overrides,
        )
    return sandbox_settings(sb, uri, **overrides)


def test_every_landed_object_has_its_layout_key_and_a_full_envelope(
    sandbox: Any, lake: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_of(sandbox, lake)
    caplog.set_level(logging.INFO, logger="coinlake.ingest")
    summary = ingest(sandbox, lake, settings, since=parse_since("2026-11-22T11:00:00Z"))
    assert not summary.failed, summary.items
    keys = sorted(lake.list("bronze/"))
    assert keys
    for key in keys:
        parsed = parse_bronze_key(key)
        envelope = split_envelope(lake.get(key))
        meta = envelope.meta
        assert (meta["source"], meta["dataset"]) == (parsed.source, parsed.dataset)
        assert meta["status"] == 200
        assert meta["parse_error"] is None
        assert meta["request"]["method"] == "GET"
        assert meta["fetched_at"].startswith(parsed.fetch_date.isoformat())
        assert "api_key" not in json.dumps(meta)
        assert meta["client_version"] == coinlake.__version__
        assert f"Successfully uploaded data to {lake.uri(key)}" in caplog.text
        if parsed.dataset == "trades":
            trades = parse_trades(envelope.body, parsed.product or "")
            ids = [t.trade_id for t in trades]
            assert (parsed.first_id, parsed.last_id) == (min(ids), max(ids))
            assert meta["product"] == parsed.product
            assert meta["request"]["url"].endswith(f"/products/{parsed.product}/trades")
            assert "after" in meta["request"]["params"]
            assert meta["extra"]["first_id"] == str(min(ids))
            assert meta["headers"]["cb-after"] == str(min(ids))  # pagination header kept
            # the body exactly as received: the sandbox answers the same page with the same bytes
            params = {k: v for k, v in meta["request"]["params"].items() if v is not None}
            assert envelope.body == httpx.get(meta["request"]["url"], params=params).content
        else:
            assert parsed.dataset == "simple_price"
            quotes = parse_simple_price(envelope.body, vs_currencies=settings.vs_currencies)
            assert len(quotes) == len(settings.coins) * len(settings.vs_currencies)
            assert {"include_market_cap", "include_24hr_vol", "include_24hr_change"} <= set(
                meta["request"]["params"]
            )
    # since 11:00 (an hour at 20/min): every id from then to the cursor, once, per product
    for product in sandbox.market.products:
        first = sandbox.market.trade_id_at(product, summary.started_at.replace(hour=11))
        cursor = read_trade_cursor(lake, "coinbase", "trades", product).last_trade_id  # type: ignore[union-attr]
        assert cursor == item(summary, product).last_id
        seen = bronze_trade_ids(lake, product)
        assert set(seen) == set(range(first, cursor + 1))
        assert max(seen.values()) == 1
    records = list(read_run_records(lake, summary.started_at.date()))
    assert [r.status for r in records] == ["succeeded"]
    assert records[0].summary["items"]


def test_a_second_run_with_nothing_new_writes_nothing(sandbox: Any, tmp_path: Any) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="BTC-USD")
    store = open_lake(settings)
    first = ingest(sandbox, store, settings, source="coinbase")
    before = {key: store.get(key) for key in store.list("bronze/")}
    again = ingest(sandbox, store, settings, source="coinbase")
    after = {key: store.get(key) for key in store.list("bronze/")}
    assert item(first, "BTC-USD").objects_written == 1
    assert item(again, "BTC-USD").objects_written == 0
    assert item(again, "BTC-USD").note == "up to date"
    assert before == after
    assert not again.failed


def test_downtime_longer_than_a_page_is_filled_with_every_id_exactly_once(
    sandbox: Any, lake: Any
) -> None:
    settings = settings_of(sandbox, lake, products="BTC-USD,ETH-USD")
    store = lake
    ingest(sandbox, store, settings, source="coinbase")
    sandbox.clock.advance(3 * 3600)  # 20 trades/min: ~3,600 trades, several pages
    summary = ingest(sandbox, store, settings, source="coinbase")
    assert not summary.failed
    for product in ("BTC-USD", "ETH-USD"):
        seen = bronze_trade_ids(store, product)
        assert set(seen) == set(range(min(seen), max(seen) + 1))
        assert max(seen.values()) == 1, "an id landed twice"
        assert max(seen) == sandbox.market.newest_trade_id(product)
        result = item(summary, product)
        assert result.pages >= 3
        assert result.gaps_repaired == result.trades - 1000 > 0


def test_a_product_with_no_cursor_starts_at_a_given_trade_id(sandbox: Any, tmp_path: Any) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="SOL-USD")
    store = open_lake(settings)
    newest = sandbox.market.newest_trade_id("SOL-USD")
    ingest(sandbox, store, settings, source="coinbase", since=newest - 1500)
    assert set(bronze_trade_ids(store, "SOL-USD")) == set(range(newest - 1500, newest + 1))


def test_two_runs_at_once_on_one_product_leave_consistent_state(sandbox: Any, lake: Any) -> None:
    settings = settings_of(sandbox, lake, products="BTC-USD")
    store = lake
    ingest(sandbox, store, settings, source="coinbase")
    sandbox.clock.advance(4 * 3600)
    results: list[Any] = []
    barrier = threading.Barrier(2)

    def one() -> None:
        barrier.wait()
        results.append(ingest(sandbox, store, settings, source="coinbase"))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(item(r, "BTC-USD").status for r in results)
    assert statuses in (["locked", "ok"], ["ok", "ok"])
    assert not any(r.failed for r in results)
    ingest(sandbox, store, settings, source="coinbase")  # whatever was skipped is caught up
    seen = bronze_trade_ids(store, "BTC-USD")
    newest = sandbox.market.newest_trade_id("BTC-USD")
    assert set(seen) == set(range(min(seen), newest + 1))
    assert read_trade_cursor(store, "coinbase", "trades", "BTC-USD").last_trade_id == newest  # type: ignore[union-attr]
    assert read_progress(store, "coinbase", "walk", "BTC-USD") is None


def test_a_page_budget_stops_early_and_the_next_run_resumes(sandbox: Any, tmp_path: Any) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="BTC-USD")
    store = open_lake(settings)
    ingest(sandbox, store, settings, source="coinbase")
    cursor = read_trade_cursor(store, "coinbase", "trades", "BTC-USD").last_trade_id  # type: ignore[union-attr]
    sandbox.clock.advance(4 * 3600)
    partial = ingest(sandbox, store, settings, source="coinbase", options=RunOptions(max_pages=2))
    assert item(partial, "BTC-USD").status == "partial"
    assert read_trade_cursor(store, "coinbase", "trades", "BTC-USD").last_trade_id == cursor  # type: ignore[union-attr]
    assert read_progress(store, "coinbase", "walk", "BTC-USD") is not None
    assert item(partial, "BTC-USD").gaps_repaired == 1000  # 2 pages, the newest one not a gap
    rest = ingest(sandbox, store, settings, source="coinbase")
    assert item(rest, "BTC-USD").note.startswith("resumed")
    assert item(rest, "BTC-USD").gaps_repaired == item(rest, "BTC-USD").trades > 0
    seen = bronze_trade_ids(store, "BTC-USD")
    assert max(seen.values()) == 1
    assert set(seen) == set(range(min(seen), max(seen) + 1))
    assert max(seen) >= sandbox.market.newest_trade_id("BTC-USD") - 100  # new trades since


def test_keys_are_deterministic_so_a_refetched_page_is_a_no_op(sandbox: Any, lake: Any) -> None:
    settings = settings_of(sandbox, lake, products="BTC-USD")
    store = lake
    ingest(sandbox, store, settings, source="coinbase")
    (key,) = trade_keys(store, "BTC-USD")
    parsed = parse_bronze_key(key)
    assert parsed.first_id is not None and parsed.last_id is not None
    fetched = split_envelope(store.get(key)).meta["fetched_at"]
    from coinlake.domain.envelope import parse_timestamp

    rebuilt = trades_page_key("BTC-USD", parse_timestamp(fetched), parsed.first_id, parsed.last_id)
    assert rebuilt == key
    original = store.get(key)
    assert store.put_if_absent(key, b"{}") is False  # create-only on this backend
    assert store.get(key) == original


def test_a_crash_after_the_cursor_moved_but_before_the_checkpoint_went_lands_nothing_twice(
    sandbox: Any, tmp_path: Any
) -> None:
    from coinlake.bronze.state import WalkProgress, save_progress

    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="BTC-USD")
    store = open_lake(settings)
    ingest(sandbox, store, settings, source="coinbase")
    before = read_trade_cursor(store, "coinbase", "trades", "BTC-USD").last_trade_id  # type: ignore[union-attr]
    sandbox.clock.advance(3600)
    ingest(sandbox, store, settings, source="coinbase")
    after = read_trade_cursor(store, "coinbase", "trades", "BTC-USD").last_trade_id  # type: ignore[union-attr]
    now = sandbox.clock.now()
    # the checkpoint the finished walk saved after its last page, left behind by a crash
    save_progress(
        store, WalkProgress("coinbase", "walk", "BTC-USD", before, before + 1, after, now, now)
    )
    keys = trade_keys(store, "BTC-USD")
    again = ingest(sandbox, store, settings, source="coinbase")
    assert item(again, "BTC-USD").note == "resumed; reached_known"
    assert trade_keys(store, "BTC-USD") == keys
    assert read_progress(store, "coinbase", "walk", "BTC-USD") is None
    assert max(bronze_trade_ids(store, "BTC-USD").values()) == 1


def test_a_run_longer_than_its_lease_renews_it_and_frees_it_at_the_end(
    sandbox: Any, lake: Any
) -> None:
    from datetime import timedelta

    from coinlake.bronze.lease import product_lease_name, read_lease

    # 2 requests a second on the sandbox's clock: the walk's ~10 pages take ~5 s of it
    settings = settings_of(
        sandbox, lake, products="BTC-USD", coinbase_requests_per_second=2, coinbase_burst=1
    )
    ingest(sandbox, lake, settings, source="coinbase")
    sandbox.clock.advance(8 * 3600)
    ttl = timedelta(seconds=0.6)
    long_run = ingest(sandbox, lake, settings, source="coinbase", options=RunOptions(lease_ttl=ttl))
    assert item(long_run, "BTC-USD").status == "ok", item(long_run, "BTC-USD")
    lease = read_lease(lake, product_lease_name("BTC-USD", "coinbase", "trades"))
    assert lease is not None
    assert lease.expires_at - lease.acquired_at > ttl  # it outlived one TTL: renewed
    assert lease.expired(sandbox.clock.now())  # and released, not left to expire
    sandbox.clock.advance(60)
    after = ingest(sandbox, lake, settings, source="coinbase", options=RunOptions(lease_ttl=ttl))
    assert item(after, "BTC-USD").status == "ok"


def test_a_since_id_above_the_newest_trade_fails_the_product_and_sets_no_cursor(
    sandbox: Any, tmp_path: Any
) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="SOL-USD,BTC-USD")
    store = open_lake(settings)
    newest = sandbox.market.newest_trade_id("SOL-USD")
    summary = ingest(sandbox, store, settings, source="coinbase", since=newest + 5)
    sol = item(summary, "SOL-USD")
    assert sol.status == "failed" and f"--since {newest + 5} is above" in (sol.error or "")
    assert (
        read_trade_cursor(store, "coinbase", "trades", "SOL-USD") is None
    )  # not left ahead of the exchange
    nxt = ingest(sandbox, store, settings, source="coinbase", since=newest + 1)
    assert item(nxt, "SOL-USD").status == "ok"  # the next id to come is fine
    assert read_trade_cursor(store, "coinbase", "trades", "SOL-USD").last_trade_id == newest  # type: ignore[union-attr]


def test_a_cursor_below_the_exchanges_first_trade_fails_loudly_every_run(
    sandbox: Any, tmp_path: Any
) -> None:
    from coinlake.bronze.state import reset_trade_cursor

    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="BTC-USD")
    store = open_lake(settings)
    first = sandbox.market.first_trade_id("BTC-USD")
    reset_trade_cursor(store, "coinbase", "trades", "BTC-USD", first - 10, now=sandbox.clock.now())
    for _ in range(2):  # not "ok" while stuck on a walk that can never reach its stop
        btc = item(ingest(sandbox, store, settings, source="coinbase"), "BTC-USD")
        assert btc.status == "failed", btc
        assert f"no trades below id {first}" in (btc.error or "")
    assert read_trade_cursor(store, "coinbase", "trades", "BTC-USD").last_trade_id == first - 10  # type: ignore[union-attr]


def test_a_product_the_exchange_does_not_know_fails_alone_with_a_clear_message(
    sandbox: Any, tmp_path: Any
) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="DOGE-USD,BTC-USD")
    store = open_lake(settings)
    summary = ingest(sandbox, store, settings, source="coinbase")
    doge = item(summary, "DOGE-USD")
    assert doge.status == "failed"
    assert (doge.error or "").startswith("unknown Coinbase product 'DOGE-USD'")
    assert item(summary, "BTC-USD").status == "ok"
