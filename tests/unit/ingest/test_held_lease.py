"""The product lease an id walk, a backfill and a gap repair hold: taken for the block,
released at its end however it ends, and never taken from another run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from coinlake.bronze.lease import acquire_lease, product_lease_name, read_lease, renew_lease
from coinlake.ingest.summary import ItemSummary
from coinlake.ingest.walk_steps import TradesRun, held_lease
from coinlake.storage.base import ObjectStore

NOW = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
NAME = product_lease_name("BTC-USD", "coinbase", "trades")


class _Clock:
    def now(self) -> datetime:
        return NOW

    def monotonic(self) -> float:
        return 0.0

    def sleep(self, seconds: float) -> None:
        return


def _run(store: ObjectStore, run_id: str) -> TradesRun:
    source: Any = None  # the lease never calls the API
    return TradesRun(store, source, "coinbase", "trades", _Clock(), run_id)


def _summary() -> ItemSummary:
    return ItemSummary("BTC-USD", "coinbase", "trades")


def test_the_lease_is_held_in_the_block_and_released_after_it(lake_store: ObjectStore) -> None:
    summary = _summary()
    with held_lease(_run(lake_store, "run-a"), NAME, summary) as held:
        assert held is not None
        inside = read_lease(lake_store, NAME)
        assert inside is not None and not inside.expired(NOW)
        # a renewal inside the block changes the version the release must present
        held.lease = renew_lease(lake_store, held.lease, now=NOW, ttl=timedelta(minutes=20))
    after = read_lease(lake_store, NAME)
    assert after is not None and after.expired(NOW)
    assert summary.status != "locked"


def test_the_lease_is_released_when_the_block_fails(lake_store: ObjectStore) -> None:
    with (
        pytest.raises(RuntimeError, match="walk failed"),
        held_lease(_run(lake_store, "run-a"), NAME, _summary()),
    ):
        raise RuntimeError("walk failed")
    after = read_lease(lake_store, NAME)
    assert after is not None and after.expired(NOW)


def test_a_lease_held_elsewhere_gives_none_and_marks_the_product_locked(
    lake_store: ObjectStore,
) -> None:
    other = acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=timedelta(minutes=10))
    summary = _summary()
    with held_lease(_run(lake_store, "run-b"), NAME, summary) as held:
        assert held is None
    assert summary.status == "locked"
    assert "run-a" in summary.note
    kept = read_lease(lake_store, NAME)
    assert kept is not None and (kept.owner, kept.version) == ("run-a", other.version)
