"""Leases per product on both backends: exclusive, expiring, renewable, releasable."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from coinlake.bronze.lease import (
    Holder,
    LeaseHeldError,
    LeaseLostError,
    acquire_lease,
    lease_key,
    product_lease_name,
    read_lease,
    release_lease,
    renew_if_due,
    renew_lease,
    this_machine,
)
from coinlake.storage.base import ObjectStore

NOW = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
TTL = timedelta(minutes=10)
NAME = product_lease_name("BTC-USD", "coinbase", "trades")


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


def test_a_lease_is_renewed_only_once_a_third_of_its_ttl_passed(lake_store: ObjectStore) -> None:
    lease = acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=TTL)
    early = renew_if_due(lake_store, lease, now=NOW + TTL / 3 - timedelta(seconds=1), ttl=TTL)
    assert early == lease
    assert early.version == lease.version
    due = NOW + TTL / 3
    renewed = renew_if_due(lake_store, lease, now=due, ttl=TTL)
    assert renewed.expires_at == due + TTL
    stored = read_lease(lake_store, NAME)
    assert stored is not None
    assert (stored.expires_at, stored.version) == (due + TTL, renewed.version)


def test_leases_of_other_sources_and_datasets_are_apart(lake_store: ObjectStore) -> None:
    acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=TTL)
    other = product_lease_name("BTC-USD", "kraken", "trades")
    assert lease_key(other) == "_state/locks/kraken/trades/product=BTC-USD.json"
    acquire_lease(lake_store, other, "run-b", now=NOW, ttl=TTL)
    acquire_lease(lake_store, product_lease_name("BTC-USD", "coinbase", "candles"), "c", now=NOW)
    held = [read_lease(lake_store, NAME), read_lease(lake_store, other)]
    assert [lease.owner for lease in held if lease is not None] == ["run-a", "run-b"]


def test_other_products_are_independent(lake_store: ObjectStore) -> None:
    eth = product_lease_name("ETH-USD", "coinbase", "trades")
    acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=TTL)
    acquire_lease(lake_store, eth, "run-b", now=NOW, ttl=TTL)
    btc_lease, eth_lease = read_lease(lake_store, NAME), read_lease(lake_store, eth)
    assert btc_lease is not None and eth_lease is not None
    assert (btc_lease.owner, eth_lease.owner) == ("run-a", "run-b")
    assert lease_key(NAME) != lease_key(eth)


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


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: no process has this id now (until the system reuses it)
    return child.pid


needs_proc = pytest.mark.skipif(this_machine() is None, reason="needs Linux /proc")


@needs_proc
def test_a_lease_whose_process_died_on_this_machine_is_taken_over_at_once(
    lake_store: ObjectStore,
) -> None:
    dead = Holder(this_machine(), _dead_pid())
    acquire_lease(lake_store, NAME, "run-killed", now=NOW, ttl=TTL, holder=dead)
    taken = acquire_lease(lake_store, NAME, "run-b", now=NOW + timedelta(seconds=1), ttl=TTL)
    stored = read_lease(lake_store, NAME)
    assert stored is not None
    assert (stored.owner, stored.pid, stored.machine) == ("run-b", os.getpid(), this_machine())
    assert taken.version == stored.version


@needs_proc
@pytest.mark.parametrize(
    "holder",
    [
        pytest.param(lambda: Holder(this_machine(), os.getppid()), id="a-live-process-here"),
        pytest.param(lambda: Holder("other/boot/1", _dead_pid()), id="another-machine"),
        pytest.param(lambda: Holder(None, _dead_pid()), id="an-unknown-machine"),
    ],
)
def test_a_lease_is_kept_while_its_holder_may_be_alive(
    lake_store: ObjectStore, holder: Any
) -> None:
    acquire_lease(lake_store, NAME, "run-a", now=NOW, ttl=TTL, holder=holder())
    with pytest.raises(LeaseHeldError, match=r"until .* \(in 10 min; process \d+ on .*delete "):
        acquire_lease(lake_store, NAME, "run-b", now=NOW + timedelta(seconds=1), ttl=TTL)


def test_a_lock_written_without_holder_fields_is_still_read(lake_store: ObjectStore) -> None:
    lake_store.put(
        lease_key(NAME),
        b'{"acquired_at":"2026-11-22T17:00:00Z","expires_at":"2026-11-22T17:10:00Z",'
        b'"name":"x","owner":"run-old","state_version":1}\n',
    )
    lease = read_lease(lake_store, NAME)
    assert lease is not None and (lease.owner, lease.pid, lease.machine) == ("run-old", None, None)
    with pytest.raises(LeaseHeldError, match="locked by run run-old until"):
        acquire_lease(lake_store, NAME, "run-b", now=NOW, ttl=TTL)
