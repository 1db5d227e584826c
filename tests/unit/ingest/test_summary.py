"""Run summaries: what counts as failed, and the run status."""

from __future__ import annotations

from datetime import UTC, datetime

from coinlake.ingest.summary import ItemSummary, RunSummary

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def test_counting_trades_tracks_first_and_last_ids() -> None:
    item = ItemSummary("BTC-USD", "coinbase", "trades")
    item.count_trades([5, 3, 4])
    item.count_trades([])
    item.count_trades([9])
    assert (item.trades, item.first_id, item.last_id) == (4, 3, 9)


def test_a_parse_failure_fails_the_run_even_when_the_product_recovered() -> None:
    ok = ItemSummary("ETH-USD", "coinbase", "trades")
    flagged = ItemSummary("BTC-USD", "coinbase", "trades", parse_failures=1)
    run = RunSummary("r", "ingest", NOW, [ok, flagged], finished_at=NOW)
    assert run.failed and run.status == "partial"
    assert RunSummary("r", "ingest", NOW, [ok], finished_at=NOW).status == "succeeded"
    assert RunSummary("r", "ingest", NOW, [flagged], finished_at=NOW).status == "failed"
    assert RunSummary("r", "ingest", NOW, [ok]).status == "running"


def test_a_locked_or_partial_product_is_not_a_failure() -> None:
    items = [
        ItemSummary("BTC-USD", "coinbase", "trades", status="locked"),
        ItemSummary("ETH-USD", "coinbase", "trades", status="partial"),
    ]
    assert not RunSummary("r", "ingest", NOW, items, finished_at=NOW).failed
    assert RunSummary("r", "ingest", NOW, items).to_json()["items"][0]["status"] == "locked"  # type: ignore[index]
