"""Leases: one run at a time per product, on any `ObjectStore` (local folder or S3).

    _state/locks/coinbase/trades/product=BTC-USD.json
    {"name": ..., "owner": <run id>, "acquired_at": ..., "expires_at": ..., "state_version": 1}

A lease is a state object written with compare-and-swap: taking a free or expired lease swaps
the stored version, so of two runs racing for it exactly one wins. It expires by itself, so a
crashed run blocks the product for at most its TTL. A holder renews it between pages
(`renew_lease`); if that fails with `LeaseLostError` the run stopped owning the product (it
paused longer than the TTL and another run took over) and must stop writing state.
Expiry compares wall clocks of different machines: keep the TTL well above clock skew.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from coinlake.domain.envelope import format_timestamp, parse_timestamp
from coinlake.errors import ConcurrentUpdateError, StorageError
from coinlake.storage.base import ObjectStore

LOCKS = "_state/locks"
DEFAULT_TTL = timedelta(minutes=15)
"""Longer than one Lambda invocation can run."""


class LeaseHeldError(ConcurrentUpdateError):
    """Another run holds the lease."""

    def __init__(self, message: str, *, owner: str, expires_at: datetime) -> None:
        super().__init__(message)
        self.owner = owner
        self.expires_at = expires_at


class LeaseLostError(ConcurrentUpdateError):
    """The lease expired and another run took it (or it was released)."""


def product_lease_name(product: str, source: str = "coinbase", dataset: str = "trades") -> str:
    """`coinbase/trades/product=BTC-USD`: the lease guarding one product's cursor and walks."""
    return f"{source}/{dataset}/product={product}"


def lease_key(name: str) -> str:
    """`_state/locks/<name>.json`."""
    return f"{LOCKS}/{name}.json"


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease as held by its owner."""

    name: str
    owner: str
    acquired_at: datetime
    expires_at: datetime
    version: str
    """Version token of the lock object this owner wrote."""

    def expired(self, now: datetime) -> bool:
        """True once `now` reaches the expiry."""
        return now >= self.expires_at


def _document(name: str, owner: str, acquired_at: datetime, expires_at: datetime) -> bytes:
    doc = {
        "state_version": 1,
        "name": name,
        "owner": owner,
        "acquired_at": format_timestamp(acquired_at),
        "expires_at": format_timestamp(expires_at),
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"


def read_lease(store: ObjectStore, name: str) -> Lease | None:
    """The lease as stored (expired or not), or None when never taken.

    Raises:
        StorageError: the lock object is malformed.
    """
    key = lease_key(name)
    found = store.get_with_version(key)
    if found is None:
        return None
    try:
        doc = json.loads(found[0])
        return Lease(
            name=name,
            owner=str(doc["owner"]),
            acquired_at=parse_timestamp(str(doc["acquired_at"])),
            expires_at=parse_timestamp(str(doc["expires_at"])),
            version=found[1],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise StorageError(f"lock object {key} is malformed ({exc}): delete it") from exc


def acquire_lease(
    store: ObjectStore, name: str, owner: str, *, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> Lease:
    """Take the lease `name` for `owner` until `now + ttl`.

    Free, expired or already-ours leases are taken; the swap is conditional, so one racer wins.

    Raises:
        LeaseHeldError: another owner holds an unexpired lease (or won the race just now).
    """
    current = read_lease(store, name)
    if current is not None and current.owner != owner and not current.expired(now):
        raise LeaseHeldError(
            f"{name} is locked by run {current.owner} until "
            f"{format_timestamp(current.expires_at)}; wait for it or let the lock expire",
            owner=current.owner,
            expires_at=current.expires_at,
        )
    expires_at = now + ttl
    data = _document(name, owner, now, expires_at)
    try:
        version = store.put_if_match(
            lease_key(name), data, None if current is None else current.version
        )
    except ConcurrentUpdateError as exc:
        winner = read_lease(store, name)
        raise LeaseHeldError(
            f"{name} was just locked by run {winner.owner if winner else '?'}; try again later",
            owner=winner.owner if winner else "",
            expires_at=winner.expires_at if winner else now,
        ) from exc
    return Lease(name, owner, now, expires_at, version)


def renew_lease(
    store: ObjectStore, lease: Lease, *, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> Lease:
    """Extend a held lease to `now + ttl`.

    Raises:
        LeaseLostError: the lock object changed since this owner wrote it.
    """
    expires_at = now + ttl
    data = _document(lease.name, lease.owner, lease.acquired_at, expires_at)
    try:
        version = store.put_if_match(lease_key(lease.name), data, lease.version)
    except ConcurrentUpdateError as exc:
        raise LeaseLostError(
            f"lost the lock on {lease.name} (it expired and another run took it); stop and "
            "let that run finish"
        ) from exc
    return replace(lease, expires_at=expires_at, version=version)


def release_lease(store: ObjectStore, lease: Lease, *, now: datetime) -> bool:
    """Give the lease up (it is marked expired at `now`, so the next run takes it at once).

    Returns:
        False when it was no longer ours (someone took it after it expired).
    """
    data = _document(lease.name, lease.owner, lease.acquired_at, min(now, lease.expires_at))
    try:
        store.put_if_match(lease_key(lease.name), data, lease.version)
    except ConcurrentUpdateError:
        return False
    return True
