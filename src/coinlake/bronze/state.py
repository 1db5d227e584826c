"""Ingestion state in `_state/`: trade cursors, resumable walk checkpoints and run records.

    _state/cursors/<source>/<dataset>/product=<P>.json    last id landed (only grows)
    _state/cursors/<source>/walk/product=<P>.json         an unfinished incremental walk
    _state/cursors/<source>/backfill/product=<P>.json     a resumable backfill position
    _state/runs/YYYY-MM-DD/<run_id>.json                   one summary per run (date = start)

(`source=coinbase`, `dataset=trades` for the built-in id walk; the source and dataset are
parameters everywhere, taken from the registry by the caller.)

Every state object is a small JSON document written with compare-and-swap
(`ObjectStore.put_if_match`), so two runs at once never silently lose an update:

- `advance_trade_cursor` re-reads and merges on a lost race: the cursor is the max of the ids, it
  never moves backwards (`reset_trade_cursor` is the explicit way back).
- `save_progress` raises `ConcurrentUpdateError` on a lost race: a walk has one owner (hold the
  product's lease from `coinlake.bronze.lease`), so a conflict means another run took over.

Order of writes (what makes a crash lose nothing): land the Bronze object(s) first, then save the
checkpoint or cursor that points past them. A crash in between re-fetches at most those pages,
whose deterministic keys make the re-landing a no-op.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

from coinlake.bronze.keys import format_compact
from coinlake.domain.envelope import format_timestamp, parse_timestamp
from coinlake.errors import ConcurrentUpdateError, StorageError
from coinlake.storage.base import ObjectStore

log = logging.getLogger(__name__)

STATE = "_state"
STATE_VERSION = 1
"""Format version written into every state document."""
MERGE_ATTEMPTS = 8
"""Re-read-and-merge rounds before `advance_trade_cursor` gives up."""

JsonScalar = str | int | bool | None
JsonValue = JsonScalar | list["JsonValue"] | dict[str, "JsonValue"]
WalkKind = Literal["walk", "backfill"]
RunStatus = Literal["running", "succeeded", "partial", "failed"]


def trades_cursor_key(source: str, dataset: str, product: str) -> str:
    """`_state/cursors/<source>/<dataset>/product=<P>.json`."""
    return f"{STATE}/cursors/{source}/{dataset}/product={product}.json"


def progress_key(source: str, kind: WalkKind, product: str) -> str:
    """`_state/cursors/<source>/<walk|backfill>/product=<P>.json`."""
    return f"{STATE}/cursors/{source}/{kind}/product={product}.json"


def run_key(run_id: str, started_at: datetime) -> str:
    """`_state/runs/<start date>/<run_id>.json`."""
    return f"{STATE}/runs/{started_at:%Y-%m-%d}/{run_id}.json"


def new_run_id(started_at: datetime, token: str | None = None) -> str:
    """`20261122T170000.123456Z-1a2b3c4d`: sortable by start time, unique by a random token."""
    return f"{format_compact(started_at)}-{token or secrets.token_hex(4)}"


def _dump(document: Mapping[str, JsonValue]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"


def _load(data: bytes, key: str) -> dict[str, object]:
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise StorageError(
            f"state object {key} is not valid JSON ({exc}): fix or delete it"
        ) from exc
    if not isinstance(document, dict):
        raise StorageError(f"state object {key} is not a JSON object: fix or delete it")
    return document


def _int_or_none(value: object, key: str, name: str) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise StorageError(f"state object {key}: {name} must be an integer, got {value!r}")


def _time(value: object, key: str, name: str) -> datetime:
    try:
        return parse_timestamp(str(value))
    except ValueError as exc:
        raise StorageError(f"state object {key}: {name} is not a UTC timestamp") from exc


@dataclass(frozen=True, slots=True)
class TradeCursor:
    """The last id landed for a product of an id-walked dataset (all ids up to it are in
    Bronze)."""

    source: str
    dataset: str
    product: str
    last_trade_id: int
    updated_at: datetime
    run_id: str | None = None
    version: str | None = field(default=None, compare=False)
    """The store's version token of the object this was read from (None if not stored)."""

    def to_json(self) -> dict[str, JsonValue]:
        """The stored document."""
        return {
            "state_version": STATE_VERSION,
            "source": self.source,
            "dataset": self.dataset,
            "product": self.product,
            "last_trade_id": self.last_trade_id,
            "updated_at": format_timestamp(self.updated_at),
            "run_id": self.run_id,
        }


def read_trade_cursor(
    store: ObjectStore, source: str, dataset: str, product: str
) -> TradeCursor | None:
    """The product's cursor, or None when no trades were landed yet.

    Raises:
        StorageError: the object is unreadable or malformed.
    """
    key = trades_cursor_key(source, dataset, product)
    found = store.get_with_version(key)
    if found is None:
        return None
    document = _load(found[0], key)
    last = _int_or_none(document.get("last_trade_id"), key, "last_trade_id")
    if last is None:
        raise StorageError(f"state object {key}: last_trade_id is missing: fix or delete it")
    run_id = document.get("run_id")
    return TradeCursor(
        source=source,
        dataset=dataset,
        product=product,
        last_trade_id=last,
        updated_at=_time(document.get("updated_at"), key, "updated_at"),
        run_id=None if run_id is None else str(run_id),
        version=found[1],
    )


def advance_trade_cursor(
    store: ObjectStore,
    source: str,
    dataset: str,
    product: str,
    last_trade_id: int,
    *,
    now: datetime,
    run_id: str | None = None,
) -> TradeCursor:
    """Move the cursor forward to `last_trade_id` (never backwards). Call it only after every
    trade up to that id is landed.

    A lost race re-reads and merges (the larger id wins), so concurrent runs converge.

    Returns:
        The cursor now stored (unchanged when it was already at or past `last_trade_id`).

    Raises:
        ConcurrentUpdateError: the object kept changing for `MERGE_ATTEMPTS` rounds.
    """
    for _ in range(MERGE_ATTEMPTS):
        current = read_trade_cursor(store, source, dataset, product)
        if current is not None and current.last_trade_id >= last_trade_id:
            return current
        wanted = TradeCursor(source, dataset, product, last_trade_id, now, run_id)
        try:
            version = store.put_if_match(
                trades_cursor_key(source, dataset, product),
                _dump(wanted.to_json()),
                None if current is None else current.version,
            )
        except ConcurrentUpdateError:
            log.debug("cursor of %s changed under us; merging", product)
            continue
        return replace(wanted, version=version)
    key = trades_cursor_key(source, dataset, product)
    raise ConcurrentUpdateError(f"{key} kept changing; is another run stuck in a loop? retry later")


def reset_trade_cursor(
    store: ObjectStore,
    source: str,
    dataset: str,
    product: str,
    last_trade_id: int | None,
    *,
    now: datetime,
    run_id: str | None = None,
) -> TradeCursor | None:
    """Set the cursor to `last_trade_id` even if that is backwards (None deletes it).

    For operators only: after the exchange reset its ids, or to re-ingest on purpose.
    """
    if last_trade_id is None:
        store.delete(trades_cursor_key(source, dataset, product))
        return None
    current = read_trade_cursor(store, source, dataset, product)
    wanted = TradeCursor(source, dataset, product, last_trade_id, now, run_id)
    version = store.put_if_match(
        trades_cursor_key(source, dataset, product),
        _dump(wanted.to_json()),
        None if current is None else current.version,
    )
    return replace(wanted, version=version)


@dataclass(frozen=True, slots=True)
class WalkProgress:
    """Where an unfinished walk down the trade ids stands (mirrors the sources' checkpoint)."""

    source: str
    kind: WalkKind
    product: str
    stop_at_id: int | None
    """The walk ends at the first page reaching `stop_at_id + 1` (None: no lower bound)."""
    next_after: int | None
    """The next page holds ids below this (None: start at the newest page)."""
    top_id: int | None
    """The newest id the walk has seen."""
    started_at: datetime
    updated_at: datetime
    run_id: str | None = None
    done: bool = False
    params: dict[str, str] = field(default_factory=dict)
    """What the walk was asked for (e.g. a backfill's `from`/`to`), to detect a changed request."""
    version: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, JsonValue]:
        """The stored document."""
        return {
            "state_version": STATE_VERSION,
            "kind": self.kind,
            "product": self.product,
            "stop_at_id": self.stop_at_id,
            "next_after": self.next_after,
            "top_id": self.top_id,
            "started_at": format_timestamp(self.started_at),
            "updated_at": format_timestamp(self.updated_at),
            "run_id": self.run_id,
            "done": self.done,
            "params": dict(self.params),
        }


def read_progress(
    store: ObjectStore, source: str, kind: WalkKind, product: str
) -> WalkProgress | None:
    """The saved walk of `kind` for `product`, or None.

    Raises:
        StorageError: the object is unreadable or malformed.
    """
    key = progress_key(source, kind, product)
    found = store.get_with_version(key)
    if found is None:
        return None
    doc = _load(found[0], key)
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        raise StorageError(f"state object {key}: params must be an object")
    run_id = doc.get("run_id")
    return WalkProgress(
        source=source,
        kind=kind,
        product=product,
        stop_at_id=_int_or_none(doc.get("stop_at_id"), key, "stop_at_id"),
        next_after=_int_or_none(doc.get("next_after"), key, "next_after"),
        top_id=_int_or_none(doc.get("top_id"), key, "top_id"),
        started_at=_time(doc.get("started_at"), key, "started_at"),
        updated_at=_time(doc.get("updated_at"), key, "updated_at"),
        run_id=None if run_id is None else str(run_id),
        done=bool(doc.get("done", False)),
        params={str(name): str(value) for name, value in params.items()},
        version=found[1],
    )


def save_progress(store: ObjectStore, progress: WalkProgress) -> WalkProgress:
    """Store `progress` if the stored one is still the one it was read from (`version`; None
    means there must be none). Save it only after the pages it points past are landed.

    Returns:
        `progress` with its new version (pass that one to the next save).

    Raises:
        ConcurrentUpdateError: another run saved or cleared this walk in between.
    """
    version = store.put_if_match(
        progress_key(progress.source, progress.kind, progress.product),
        _dump(progress.to_json()),
        progress.version,
    )
    return replace(progress, version=version)


def clear_progress(store: ObjectStore, source: str, kind: WalkKind, product: str) -> None:
    """Forget the walk (after its result is in the cursor, or to restart a backfill)."""
    store.delete(progress_key(source, kind, product))


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What one ingest/backfill run did; the orchestrator fills `summary`."""

    run_id: str
    command: str
    """`ingest`, `backfill`, `lambda`, ..."""
    started_at: datetime
    status: RunStatus = "running"
    finished_at: datetime | None = None
    summary: dict[str, JsonValue] = field(default_factory=dict)
    """Counts per product/source: objects written, trades, first/last id, errors."""

    def to_json(self) -> dict[str, JsonValue]:
        """The stored document."""
        return {
            "state_version": STATE_VERSION,
            "run_id": self.run_id,
            "command": self.command,
            "started_at": format_timestamp(self.started_at),
            "finished_at": None if self.finished_at is None else format_timestamp(self.finished_at),
            "status": self.status,
            "summary": self.summary,
        }


def write_run_record(store: ObjectStore, record: RunRecord) -> str:
    """Create or update the run's own record (one writer per run id); returns its key."""
    key = run_key(record.run_id, record.started_at)
    store.put(key, _dump(record.to_json()))
    return key


def read_run_records(store: ObjectStore, day: date) -> Iterator[RunRecord]:
    """The records of runs started on `day` (UTC), oldest first.

    Raises:
        StorageError: a record is malformed.
    """
    for key in store.list(f"{STATE}/runs/{day:%Y-%m-%d}/"):
        doc = _load(store.get(key), key)
        finished = doc.get("finished_at")
        summary = doc.get("summary") or {}
        status = str(doc.get("status", "running"))
        if status not in ("running", "succeeded", "partial", "failed"):
            raise StorageError(f"state object {key}: unknown status {status!r}")
        yield RunRecord(
            run_id=str(doc.get("run_id")),
            command=str(doc.get("command", "")),
            started_at=_time(doc.get("started_at"), key, "started_at"),
            status=status,  # type: ignore[arg-type]
            finished_at=None if finished is None else _time(finished, key, "finished_at"),
            summary=summary if isinstance(summary, dict) else {},
        )
