"""Backfill from a date against the sandbox: exact ranges, resumability, a real process kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from coinlake.app.lake import open_lake
from coinlake.bronze.keys import parse_bronze_key
from coinlake.bronze.lease import product_lease_name, read_lease, this_machine
from coinlake.bronze.state import read_progress, read_trade_cursor
from coinlake.ingest.run import RunOptions
from tests.integration.ingest.helpers import (
    backfill,
    bronze_trade_ids,
    ingest,
    item,
    sandbox_settings,
    trade_keys,
)

pytestmark = pytest.mark.integration

T = datetime(2026, 11, 22, tzinfo=UTC)


def range_ids(sb: Any, product: str, start: datetime, end: datetime) -> set[int]:
    return {t.trade_id for t in sb.market.trades(product) if start <= t.time < end}


def test_a_backfill_lands_exactly_the_trades_of_its_range_once(sandbox: Any, tmp_path: Any) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="BTC-USD,ETH-USD")
    store = open_lake(settings)
    start, end = T.replace(hour=10, minute=17), T.replace(hour=11, minute=29)
    summary = backfill(
        sandbox, store, settings, start_at=start, end_at=end, candles_granularity_s=300
    )
    assert not summary.failed, summary.items
    for product in ("BTC-USD", "ETH-USD"):
        seen = bronze_trade_ids(store, product)
        expected = range_ids(sandbox, product, start, end)
        assert set(seen) == expected
        assert max(seen.values()) == 1
        assert item(summary, product).trades == len(expected)
        assert (
            read_trade_cursor(store, "coinbase", "trades", product) is None
        )  # a bounded range sets no cursor
        candles = list(store.list(f"bronze/source=coinbase/dataset=candles/product={product}/"))
        assert len(candles) == 1
        assert parse_bronze_key(candles[0]).start_at == T.replace(hour=10, minute=15)
    again = backfill(sandbox, store, settings, start_at=start, end_at=end)
    assert [i.note for i in again.items] == ["already complete", "already complete"]
    assert sum(i.objects_written for i in again.items) == 0


def test_a_backfill_up_to_now_hands_over_to_incremental_ingest(sandbox: Any, tmp_path: Any) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="SOL-USD")
    store = open_lake(settings)
    backfill(sandbox, store, settings, start_at=T.replace(hour=10, minute=30))
    cursor = read_trade_cursor(store, "coinbase", "trades", "SOL-USD")
    assert cursor is not None
    sandbox.clock.advance(2 * 3600)
    ingest(sandbox, store, settings, source="coinbase")
    seen = bronze_trade_ids(store, "SOL-USD")
    expected = range_ids(sandbox, "SOL-USD", T.replace(hour=10, minute=30), T.replace(hour=23))
    assert set(seen) == expected
    assert max(seen.values()) == 1


def test_a_different_unfinished_backfill_must_be_finished_or_restarted(
    sandbox: Any, tmp_path: Any
) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="BTC-USD")
    store = open_lake(settings)
    start = T.replace(hour=10, minute=5)
    first = backfill(sandbox, store, settings, start_at=start, options=RunOptions(max_pages=1))
    assert item(first, "BTC-USD").status == "partial"
    other = backfill(sandbox, store, settings, start_at=T.replace(hour=11))
    assert item(other, "BTC-USD").status == "failed"
    assert "--restart" in (item(other, "BTC-USD").error or "")
    resumed = backfill(sandbox, store, settings, start_at=start)
    assert item(resumed, "BTC-USD").note.startswith("resumed")
    restarted = backfill(sandbox, store, settings, start_at=T.replace(hour=11), restart=True)
    assert item(restarted, "BTC-USD").status == "ok"
    progress = read_progress(store, "coinbase", "backfill", "BTC-USD")
    assert progress is not None and progress.done


def _cli_env(sb: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COINLAKE_")}
    env.update(
        COINLAKE_COINBASE_URL=sb.coinbase_url,
        COINLAKE_COINGECKO_URL=sb.coingecko_url,
        COINLAKE_PRODUCTS="BTC-USD",
        COINLAKE_HTTP_TIMEOUT_S="5",
        COINLAKE_COINBASE_REQUESTS_PER_SECOND="30",  # the sandbox enforces no limit here
        COINLAKE_COINBASE_BURST="30",
    )
    return env


def test_a_killed_backfill_resumes_to_the_same_result(sandbox_factory: Any, tmp_path: Path) -> None:
    sb = sandbox_factory(history_days=1.0, trades_per_minute=60.0, products=("BTC-USD",))
    lake = tmp_path / "killed"
    args = [
        sys.executable, "-m", "coinlake", "--lake", str(lake), "backfill", "--product",
        "BTC-USD", "--from", "2026-11-21T13:00:00Z", "--to", "2026-11-22T11:00:00Z",
    ]  # fmt: skip
    takes_over = this_machine() is not None  # Linux: a dead holder's lock is taken at once
    if not takes_over:
        args += ["--lease-ttl", "2"]
    env = _cli_env(sb)
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = open_lake(sandbox_settings(sb, str(lake)))
    deadline = time.monotonic() + 60
    while len(trade_keys(store, "BTC-USD")) < 8 and time.monotonic() < deadline:
        assert process.poll() is None, "the backfill ended before it could be killed"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    landed = len(trade_keys(store, "BTC-USD"))
    assert 8 <= landed < 79
    progress = read_progress(store, "coinbase", "backfill", "BTC-USD")
    assert progress is not None and not progress.done
    lock = read_lease(store, product_lease_name("BTC-USD", "coinbase", "trades-backfill"))
    assert lock is not None and not lock.expired(datetime.now(UTC))
    if takes_over:  # restarted at once: the lock's holder process is gone from this machine
        assert lock.pid == process.pid
    else:
        time.sleep(2.1)  # the killed run's lock expires (--lease-ttl 2)
    finished = subprocess.run(
        args, check=False, env=env, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "resumed" in finished.stdout
    start = datetime(2026, 11, 21, 13, tzinfo=UTC)
    end = datetime(2026, 11, 22, 11, tzinfo=UTC)
    seen = bronze_trade_ids(store, "BTC-USD")
    assert set(seen) == range_ids(sb, "BTC-USD", start, end)
    assert max(seen.values()) == 1
    # an uninterrupted backfill of the same range cuts the same pages
    clean_settings = sandbox_settings(sb, str(tmp_path / "clean"), products="BTC-USD")
    clean = open_lake(clean_settings)
    backfill(sb, clean, clean_settings, start_at=start, end_at=end)

    def pages(s: Any) -> list[tuple[Any, Any]]:
        return [
            (parse_bronze_key(k).first_id, parse_bronze_key(k).last_id)
            for k in trade_keys(s, "BTC-USD")
        ]

    assert sorted(pages(store)) == sorted(pages(clean))


def test_a_backfill_under_the_enforced_limit_draws_no_429(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    sb = sandbox_factory(
        history_days=0.5, trades_per_minute=60.0, products=("BTC-USD",), rate_limits=True
    )
    refused: list[str] = []
    original = sb.coinbase_limiter.try_acquire

    def counted(key: str) -> bool:
        allowed: bool = original(key)
        if not allowed:
            refused.append(key)
        return allowed

    sb.coinbase_limiter.try_acquire = counted
    settings = sandbox_settings(sb, str(tmp_path / "lake"), products="BTC-USD")
    store = open_lake(settings)
    started = sb.clock.now()
    summary = backfill(sb, store, settings, start_at=T.replace(hour=3))
    assert not summary.failed
    pages = item(summary, "BTC-USD").pages
    assert pages >= 30
    assert refused == []
    # the client's waits moved the sandbox's clock: ~10 requests per second of its time
    elapsed = (sb.clock.now() - started).total_seconds()
    assert elapsed >= (pages - 15) / 10


def test_coingecko_history_lands_one_object_per_coin_currency_and_chunk(
    sandbox: Any, tmp_path: Any
) -> None:
    from coinlake.domain.envelope import split_envelope

    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), coins="bitcoin,solana")
    store = open_lake(settings)
    start, end = T.replace(hour=10), T.replace(hour=12)
    summary = backfill(sandbox, store, settings, source="coingecko", start_at=start, end_at=end)
    assert not summary.failed
    keys = sorted(store.list("bronze/source=coingecko/dataset=market_chart_range/"))
    assert len(keys) == 4  # 2 coins x 2 currencies, one chunk each
    for key in keys:
        parsed = parse_bronze_key(key)
        assert (parsed.start_at, parsed.end_at) == (start, end)
        meta = split_envelope(store.get(key)).meta
        assert meta["product"] == parsed.coin
        assert meta["request"]["params"]["vs_currency"] == parsed.vs_currency
        assert meta["parse_error"] is None
    assert all(i.trades > 0 for i in summary.items)


def test_ctrl_c_stops_a_backfill_with_its_summary_and_the_rerun_finishes_it(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    sb = sandbox_factory(history_days=1.0, trades_per_minute=60.0, products=("BTC-USD",))
    lake = tmp_path / "interrupted"
    args = [
        sys.executable, "-m", "coinlake", "--lake", str(lake), "backfill", "--product",
        "BTC-USD", "--from", "2026-11-21T13:00:00Z", "--to", "2026-11-22T11:00:00Z",
    ]  # fmt: skip
    env = _cli_env(sb)
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    store = open_lake(sandbox_settings(sb, str(lake)))
    deadline = time.monotonic() + 60
    while len(trade_keys(store, "BTC-USD")) < 5 and time.monotonic() < deadline:
        assert process.poll() is None, "the backfill ended before it could be interrupted"
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert b"interrupted (Ctrl-C)" in out and b"run record:" in out  # the summary table
    assert err.strip().endswith(b"run the same command again to continue")
    assert b"Traceback" not in err
    lock = read_lease(store, product_lease_name("BTC-USD", "coinbase", "trades-backfill"))
    assert lock is not None and lock.expired(datetime.now(UTC))  # released
    record_key = out.decode().split("run record: ", 1)[1].split()[0]
    record = json.loads(store.get(record_key))
    assert record["status"] == "failed" and record["finished_at"] is not None
    finished = subprocess.run(args, check=False, env=env, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert b"resumed" in finished.stdout
    seen = bronze_trade_ids(store, "BTC-USD")
    start = datetime(2026, 11, 21, 13, tzinfo=UTC)
    assert set(seen) == range_ids(sb, "BTC-USD", start, datetime(2026, 11, 22, 11, tzinfo=UTC))
    assert max(seen.values()) == 1


def test_a_backfill_to_a_time_still_to_come_is_a_backfill_up_to_now(
    sandbox: Any, tmp_path: Any
) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="ETH-USD")
    store = open_lake(settings)
    start, today_inclusive = T.replace(hour=11, minute=30), T.replace(day=23)
    summary = backfill(sandbox, store, settings, start_at=start, end_at=today_inclusive)
    assert not summary.failed
    cursor = read_trade_cursor(store, "coinbase", "trades", "ETH-USD")
    assert cursor is not None  # handed over to ingest, not "complete" while the day goes on
    assert cursor.last_trade_id == sandbox.market.newest_trade_id("ETH-USD")
    sandbox.clock.advance(1800)
    ingest(sandbox, store, settings, source="coinbase")
    seen = bronze_trade_ids(store, "ETH-USD")
    assert set(seen) == range_ids(sandbox, "ETH-USD", start, today_inclusive)
    assert max(seen.values()) == 1


def test_a_crash_between_the_cursor_and_the_done_mark_resumes_to_done_fetching_nothing(
    sandbox: Any, tmp_path: Any
) -> None:
    from dataclasses import replace

    from coinlake.bronze.state import save_progress

    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="BTC-USD")
    store = open_lake(settings)
    start = T.replace(hour=11)
    backfill(sandbox, store, settings, start_at=start)
    cursor = read_trade_cursor(store, "coinbase", "trades", "BTC-USD")
    done = read_progress(store, "coinbase", "backfill", "BTC-USD")
    assert cursor is not None and done is not None and done.done
    save_progress(store, replace(done, done=False))  # the state such a crash leaves
    keys = trade_keys(store, "BTC-USD")
    again = backfill(sandbox, store, settings, start_at=start)
    assert item(again, "BTC-USD").note == "resumed; reached_known"
    assert item(again, "BTC-USD").pages == 0 and trade_keys(store, "BTC-USD") == keys
    assert read_progress(store, "coinbase", "backfill", "BTC-USD").done  # type: ignore[union-attr]
    assert read_trade_cursor(store, "coinbase", "trades", "BTC-USD") == cursor


def test_a_first_ingest_during_a_backfill_up_to_now_continues_right_above_it(
    sandbox: Any, tmp_path: Any
) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="ETH-USD")
    store = open_lake(settings)
    start = T.replace(hour=10, minute=30)
    first = backfill(sandbox, store, settings, start_at=start, options=RunOptions(max_pages=1))
    assert item(first, "ETH-USD").status == "partial"  # unfinished, no cursor yet
    sandbox.clock.advance(3 * 3600)  # more than a page of new trades before the first ingest
    ingest(sandbox, store, settings, source="coinbase")
    backfill(sandbox, store, settings, start_at=start)  # finishes the backfill
    seen = bronze_trade_ids(store, "ETH-USD")
    newest = sandbox.market.newest_trade_id("ETH-USD")
    assert set(seen) == set(range(min(seen), newest + 1))  # no hole between the two
    assert min(seen) == sandbox.market.trade_id_at("ETH-USD", start)
    assert max(seen.values()) == 1
    assert read_trade_cursor(store, "coinbase", "trades", "ETH-USD").last_trade_id == newest  # type: ignore[union-attr]


def test_a_backfill_up_to_now_of_a_quiet_range_still_hands_over_to_ingest(
    sandbox: Any, tmp_path: Any
) -> None:
    from datetime import timedelta

    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="SOL-USD")
    store = open_lake(settings)
    newest = sandbox.market.last_trade("SOL-USD")
    start = newest.time + timedelta(microseconds=1)
    assert start < sandbox.clock.now()  # no trade since `start`
    quiet = backfill(sandbox, store, settings, start_at=start)
    assert item(quiet, "SOL-USD").note == "no trades in the range"
    cursor = read_trade_cursor(store, "coinbase", "trades", "SOL-USD")
    assert cursor is not None and cursor.last_trade_id == newest.trade_id
    sandbox.clock.advance(3 * 3600)  # more than a page of trades, all after `start`
    ingest(sandbox, store, settings, source="coinbase")
    seen = bronze_trade_ids(store, "SOL-USD")
    assert set(seen) == range_ids(sandbox, "SOL-USD", start, sandbox.clock.now())
    assert max(seen.values()) == 1


def test_an_id_search_probe_that_does_not_parse_is_landed_flagged_and_asked_again(
    sandbox: Any, tmp_path: Any
) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="BTC-USD")
    store = open_lake(settings)
    start, end = T.replace(hour=10, minute=17), T.replace(hour=11, minute=29)
    # calls 2 and 4 are probes of the id search for `start` (call 1 probes the newest trade)
    sandbox.faults.add("truncate", "coinbase.trades", calls=[2])
    sandbox.faults.add("wrong_shape", "coinbase.trades", calls=[4])
    summary = backfill(sandbox, store, settings, start_at=start, end_at=end)
    assert [f.kind for f in sandbox.faults.fired] == ["truncate", "wrong_shape"]
    btc = item(summary, "BTC-USD")
    assert btc.status == "ok", btc
    assert (btc.parse_failures, len(btc.unparsed_keys)) == (2, 2)
    assert all(parse_bronze_key(key).unparsed for key in btc.unparsed_keys)
    assert set(bronze_trade_ids(store, "BTC-USD")) == range_ids(sandbox, "BTC-USD", start, end)


def test_an_id_search_probe_that_never_parses_fails_the_product_after_two_retries(
    sandbox: Any, tmp_path: Any
) -> None:
    settings = sandbox_settings(sandbox, str(tmp_path / "lake"), products="BTC-USD")
    store = open_lake(settings)
    sandbox.faults.add("truncate", "coinbase.trades", calls=[2, 3, 4])
    summary = backfill(sandbox, store, settings, start_at=T.replace(hour=10))
    btc = item(summary, "BTC-USD")
    assert btc.status == "failed"
    assert len(sandbox.faults.fired) == 3
    assert (btc.parse_failures, len(btc.unparsed_keys)) == (3, 3)
    # the three answers are the same bytes at the same (frozen) instant: one flagged object
    (key,) = trade_keys(store, "BTC-USD")
    assert parse_bronze_key(key).unparsed
