"""Leases per product on both backends: exclusive, expiring, renewable, releasable."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from coinlake.bronze.lease import (
    LeaseHeldError,
    LeaseLostError,
    acquire_lease,
    lease_key,
    product_lease_name,
    read_lease,
    release_lease,
    renew_lease,
)
from coinlake.storage.base import ObjectStore

NOW = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
TTL = timedelta(minutes=10)
NAME = product_lease_name("BTC-USD")


def test_the_lease_lives_in_state_locks(lake_store: ObjectStore) -> None:
    acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=TTL)
    assert lease_key(NAME) == "_state/locks/coinbase/trades/product=BTC-USD.json"
    assert lake_store.exists(lease_key(NAME))


def test_a_held_lease_blocks_another_run_until_it_expires(lake_store: ObjectStore) -> None:
    acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=TTL)
    with pytest.raises(LeaseHeldError, match="locked by run run-a until") as caught:
        acquire_lease(lake_store, NAME, "run-b", now=NOW + TTL - timedelta(seconds=1), ttl=TTL)
    assert caught.value.owner == "run-a"
    taken = acquire_lease(lake_store, NAME, "run-b", now=NOW + TTL, ttl=TTL)
    stored = read_lease(lake_store, NAME)
    assert stored is not None
    assert (stored.owner, stored.expires_at) == ("run-b", NOW + 2 * TTL)
    assert taken.version == stored.version


def test_other_products_are_independent(lake_store: ObjectStore) -> None:
    acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=TTL)
    acquire_lease(lake_store, product_lease_name("ETH-USD"), "run-b", now=NOW, ttl=TTL)


def test_racing_runs_get_exactly_one_lease(lake_store: ObjectStore) -> None:
    owners = [f"run-{i}" for i in range(6)]
    barrier = threading.Barrier(len(owners))

    def take(owner: str) -> str | None:
        barrier.wait()
        try:
            return acquire_lease(lake_store, NAME, owner, now=NOW, ttl=TTL).owner
        except LeaseHeldError:
            return None

    with ThreadPoolExecutor(len(owners)) as pool:
        winners = [owner for owner in pool.map(take, owners) if owner]
    assert len(winners) == 1
    stored = read_lease(lake_store, NAME)
    assert stored is not None
    assert stored.owner == winners[0]


def test_renewal_extends_and_a_stolen_lease_is_lost(lake_store: ObjectStore) -> None:
    lease = acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=TTL)
    lease = renew_lease(lake_store, lease, now=NOW + timedelta(minutes=5), ttl=TTL)
    assert lease.expires_at == NOW + timedelta(minutes=15)
    with pytest.raises(LeaseHeldError):
        acquire_lease(lake_store, NAME, "run-b", now=NOW + timedelta(minutes=12), ttl=TTL)
    acquire_lease(lake_store, NAME, "run-b", now=NOW + timedelta(minutes=15), ttl=TTL)
    with pytest.raises(LeaseLostError, match="lost the lock"):
        renew_lease(lake_store, lease, now=NOW + timedelta(minutes=16), ttl=TTL)
    assert not release_lease(lake_store, lease, now=NOW + timedelta(minutes=16))


def test_a_released_lease_is_free_at_once(lake_store: ObjectStore) -> None:
    lease = acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=TTL)
    assert release_lease(lake_store, lease, now=NOW + timedelta(minutes=1))
    taken = acquire_lease(lake_store, NAME, "run-b", now=NOW + timedelta(minutes=1), ttl=TTL)
    assert taken.owner == "run-b"


def test_the_same_owner_may_take_its_lease_again(lake_store: ObjectStore) -> None:
    acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=TTL)
    again = acquire_lease(lake_store, NAME, "run-a", now=NOW + timedelta(minutes=1), ttl=TTL)
    assert again.expires_at == NOW + timedelta(minutes=11)
