"""Leases: one run at a time per product, on any `ObjectStore` (local folder or S3).

    _state/locks/<source>/<dataset>/product=<P>.json   (coinbase/trades/product=BTC-USD)
    {"name": ..., "owner": <run id>, "acquired_at": ..., "expires_at": ...,
     "host": <machine>, "pid": <process id>, "state_version": 1}

A lease is a state object written with compare-and-swap: taking a free or expired lease swaps
the stored version, so of two runs racing for it exactly one wins. It expires by itself, so a
crashed run blocks the product for at most its TTL; sooner on the machine it ran on: a lease
whose holder process is gone from this very machine (same host name, Linux boot id and process
namespace, so never another container or a machine of the same name) is taken over at once.
A holder renews it between pages (`renew_lease`); if that fails with `LeaseLostError` the run
stopped owning the product (it paused longer than the TTL and another run took over) and must
stop writing state.
Expiry compares wall clocks of different machines: keep the TTL well above clock skew.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from coinlake.domain.envelope import format_timestamp, parse_timestamp
from coinlake.errors import ConcurrentUpdateError, StorageError
from coinlake.storage.base import ObjectStore

log = logging.getLogger(__name__)

LOCKS = "_state/locks"
DEFAULT_TTL = timedelta(minutes=15)
"""Longer than one Lambda invocation can run."""


@functools.cache
def this_machine() -> str | None:
    """`<host name>/<boot id>/<pid namespace>`: where a process id means one process; None
    where that cannot be known (no Linux `/proc`), which turns the dead-holder take-over off."""
    try:
        boot_id = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        namespace = Path("/proc/self/ns/pid").stat().st_ino
    except OSError:
        return None
    return f"{socket.gethostname()}/{boot_id}/{namespace}"


def process_alive(pid: int) -> bool:
    """True unless no process `pid` exists here (a process of another user counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True, slots=True)
class Holder:
    """The process taking a lease: where it runs and its id."""

    machine: str | None
    """`this_machine()`; None when unknown (the lease then only expires)."""
    pid: int

    @classmethod
    def current(cls) -> Holder:
        """This process."""
        return cls(this_machine(), os.getpid())

    def holds_dead(self, lease: Lease) -> bool:
        """True when `lease` was taken by another process of this machine that is gone."""
        return (
            self.machine is not None
            and lease.machine == self.machine
            and lease.pid is not None
            and lease.pid != self.pid
            and not process_alive(lease.pid)
        )


class LeaseHeldError(ConcurrentUpdateError):
    """Another run holds the lease."""

    def __init__(self, message: str, *, owner: str, expires_at: datetime) -> None:
        super().__init__(message)
        self.owner = owner
        self.expires_at = expires_at


class LeaseLostError(ConcurrentUpdateError):
    """The lease expired and another run took it (or it was released)."""


def product_lease_name(product: str, source: str, dataset: str) -> str:
    """`<source>/<dataset>/product=<P>`: the lease guarding one product's cursor and walks."""
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
    machine: str | None = field(default=None, compare=False)
    """`this_machine()` of the holder (None: unknown, or a lock written before it was kept)."""
    pid: int | None = field(default=None, compare=False)
    """Process id of the holder."""

    def expired(self, now: datetime) -> bool:
        """True once `now` reaches the expiry."""
        return now >= self.expires_at


def _document(
    name: str, owner: str, acquired_at: datetime, expires_at: datetime, holder: Holder
) -> bytes:
    doc = {
        "state_version": 1,
        "name": name,
        "owner": owner,
        "acquired_at": format_timestamp(acquired_at),
        "expires_at": format_timestamp(expires_at),
        "host": holder.machine,
        "pid": holder.pid,
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
        pid = doc.get("pid")
        return Lease(
            name=name,
            owner=str(doc["owner"]),
            acquired_at=parse_timestamp(str(doc["acquired_at"])),
            expires_at=parse_timestamp(str(doc["expires_at"])),
            version=found[1],
            machine=None if doc.get("host") is None else str(doc["host"]),
            pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise StorageError(f"lock object {key} is malformed ({exc}): delete it") from exc


def acquire_lease(
    store: ObjectStore,
    name: str,
    owner: str,
    *,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
    holder: Holder | None = None,
) -> Lease:
    """Take the lease `name` for `owner` until `now + ttl`.

    Free, expired or already-ours leases are taken, and so is one whose holder process died on
    this machine (`Holder.holds_dead`); the swap is conditional, so one racer wins.

    Args:
        holder: the process taking it (default: this one).

    Raises:
        LeaseHeldError: another owner holds an unexpired lease (or won the race just now).
    """
    holder = holder or Holder.current()
    current = check_lease_free(store, name, owner, now=now, holder=holder)
    if current is not None and current.owner != owner and not current.expired(now):
        log.warning(
            "taking over %s from run %s: its process %s on this machine is gone",
            name,
            current.owner,
            current.pid,
        )
    expires_at = now + ttl
    data = _document(name, owner, now, expires_at, holder)
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
    return Lease(name, owner, now, expires_at, version, holder.machine, holder.pid)


def check_lease_free(
    store: ObjectStore,
    name: str,
    owner: str,
    *,
    now: datetime,
    holder: Holder | None = None,
) -> Lease | None:
    """Read (only) the lease `name`: raise when `acquire_lease` would, else return it (None
    when there is none). A run with nothing to do uses it to stop like a run that would write,
    without writing the lease.

    Raises:
        LeaseHeldError: another owner holds an unexpired lease whose process is alive.
    """
    holder = holder or Holder.current()
    current = read_lease(store, name)
    if (
        current is not None
        and current.owner != owner
        and not current.expired(now)
        and not holder.holds_dead(current)
    ):
        raise LeaseHeldError(
            _held_message(store, current, now),
            owner=current.owner,
            expires_at=current.expires_at,
        )
    return current


def _held_message(store: ObjectStore, current: Lease, now: datetime) -> str:
    left = int((current.expires_at - now).total_seconds())
    when = f"{left} s" if left < 120 else f"{round(left / 60)} min"
    where = ""
    if current.pid is not None:
        host = (current.machine or "?").partition("/")[0]
        where = f"; process {current.pid} on {host}"
    return (
        f"{current.name} is locked by run {current.owner} until "
        f"{format_timestamp(current.expires_at)} (in {when}{where}); wait for it, or, if no run "
        f"is active, delete {store.uri(lease_key(current.name))}"
    )


def renew_lease(
    store: ObjectStore, lease: Lease, *, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> Lease:
    """Extend a held lease to `now + ttl`.

    Raises:
        LeaseLostError: the lock object changed since this owner wrote it.
    """
    expires_at = now + ttl
    data = _document(lease.name, lease.owner, lease.acquired_at, expires_at, _holder_of(lease))
    try:
        version = store.put_if_match(lease_key(lease.name), data, lease.version)
    except ConcurrentUpdateError as exc:
        raise LeaseLostError(
            f"lost the lock on {lease.name} (it expired and another run took it); stop and "
            "let that run finish"
        ) from exc
    return replace(lease, expires_at=expires_at, version=version)


def renew_if_due(
    store: ObjectStore, lease: Lease, *, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> Lease:
    """Renew `lease` once a third of its TTL has passed (else return it as is).

    Raises:
        LeaseLostError: it expired and another run took it.
    """
    if now >= lease.expires_at - ttl * 2 / 3:
        return renew_lease(store, lease, now=now, ttl=ttl)
    return lease


def release_lease(store: ObjectStore, lease: Lease, *, now: datetime) -> bool:
    """Give the lease up (it is marked expired at `now`, so the next run takes it at once).

    Returns:
        False when it was no longer ours (someone took it after it expired).
    """
    data = _document(
        lease.name, lease.owner, lease.acquired_at, min(now, lease.expires_at), _holder_of(lease)
    )
    try:
        store.put_if_match(lease_key(lease.name), data, lease.version)
    except ConcurrentUpdateError:
        return False
    return True


def _holder_of(lease: Lease) -> Holder:
    return Holder(lease.machine, os.getpid() if lease.pid is None else lease.pid)
