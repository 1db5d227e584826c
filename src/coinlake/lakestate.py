"""What a lake's `_state/` holds, and resetting parts of it: `coinlake state show|reset`.

`_state/` is small JSON documents (`docs/ingest.md` explains each):

    _state/cursors/<source>/<dataset>/product=P.json  cursor: last id landed for P
    _state/cursors/<source>/walk/product=P.json       walk: an ingest walk that has not finished
    _state/cursors/<source>/backfill/product=P.json   backfill: a backfill that has not finished
    _state/locks/<name>.json                          lease: who is ingesting a product right now
    _state/bookmarks/<table>.json                     bookmark: Bronze objects a table consumed
    _state/journal/<table>.json                       journal: a transform commit in flight
    _state/runs/YYYY-MM-DD/<run id>.json              run: one ingest run's record (kept)
    _state/catalog/<list>.json                        cache: the APIs' coin/currency lists

Resetting deletes documents, which is always safe for Bronze (never touched) and makes the next
run redo work: a product without a cursor is walked as a new one, a table without a bookmark
re-reads all of its Bronze. Journals and run records are never reset here (a journal is how a
crashed transform finishes; run records are history).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from coinlake.errors import ConfigError
from coinlake.sources.registry import ALL, REGISTRY
from coinlake.storage.base import ObjectStore
from coinlake.storage.packed_names import recorded_names

STATE = "_state"
StateKind = Literal["cursor", "walk", "backfill", "lease", "bookmark", "journal", "run", "cache"]
RESETTABLE: tuple[StateKind, ...] = ("cursor", "walk", "backfill", "lease", "bookmark", "cache")

_FIXED_PREFIXES: tuple[tuple[str, StateKind], ...] = (
    ("locks/", "lease"),
    ("bookmarks/", "bookmark"),
    ("journal/", "journal"),
    ("runs/", "run"),
    ("catalog/", "cache"),
)
_SHOWN_FIELDS = (
    "last_trade_id",
    "stop_at_id",
    "next_after",
    "top_id",
    "done",
    "owner",
    "expires_at",
    "version",
    "status",
    "fetched_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class StateEntry:
    """One document under `_state/`."""

    kind: StateKind
    name: str
    """The product (`BTC-USD`), table (`silver.trades`), lease or run the document is about."""
    key: str
    detail: dict[str, object]
    """The document's telling fields (ids, times, owner); `consumed_objects` for a bookmark."""


def _prefixes() -> Iterator[tuple[str, StateKind]]:
    """The cursor folders of every registered id-walked dataset, then the fixed folders."""
    for spec in REGISTRY.selected(ALL):
        for dataset in spec.datasets:
            if dataset.paging == "id_walk":
                yield f"cursors/{spec.name}/{dataset.name}/", "cursor"
                yield f"cursors/{spec.name}/walk/", "walk"
                yield f"cursors/{spec.name}/backfill/", "backfill"
    yield from _FIXED_PREFIXES


def _classify(key: str) -> tuple[StateKind, str] | None:
    rest = key.removeprefix(f"{STATE}/")
    for prefix, kind in _prefixes():
        if rest.startswith(prefix):
            name = rest.removeprefix(prefix).removesuffix(".json")
            return kind, name.removeprefix("product=")
    return None


def _detail(kind: StateKind, data: bytes) -> dict[str, object]:
    try:
        doc = json.loads(data)
    except ValueError:
        return {"error": "not valid JSON"}
    if not isinstance(doc, dict):
        return {"error": "not a JSON object"}
    detail = {name: doc[name] for name in _SHOWN_FIELDS if doc.get(name) is not None}
    if kind == "bookmark":
        consumed = doc.get("consumed") or {}
        detail["consumed_objects"] = sum(len(recorded_names(v)) for v in consumed.values())
    return detail


def read_state(store: ObjectStore, *, with_runs: bool = False) -> Iterator[StateEntry]:
    """Every document under `_state/` in key order (run records only when `with_runs`)."""
    for key in sorted(store.list(f"{STATE}/")):
        found = _classify(key)
        if found is None:
            continue
        kind, name = found
        if kind == "run" and not with_runs:
            continue
        data = store.get_with_version(key)
        if data is None:  # deleted since listed
            continue
        yield StateEntry(kind, name, key, _detail(kind, data[0]))


def count_runs(store: ObjectStore) -> int:
    """How many run records `_state/runs/` keeps."""
    return sum(1 for _ in store.list(f"{STATE}/runs/"))


def plan_reset(store: ObjectStore, kind: str, names: tuple[str, ...]) -> list[StateEntry]:
    """The documents `reset(kind, names)` would delete: all of `kind`, or only those `names`.

    A cursor reset also takes the product's unfinished ingest walk, which stops at that cursor.

    Raises:
        ConfigError: `kind` cannot be reset, or a name has nothing to reset (the message lists
            what there is).
    """
    if kind not in RESETTABLE:
        raise ConfigError(f"cannot reset {kind!r}: choose one of {', '.join(RESETTABLE)}")
    present = [entry for entry in read_state(store) if entry.kind == kind]
    if not names:
        chosen = present
    else:
        known = {entry.name for entry in present}
        unknown = [name for name in names if name not in known]
        if unknown:
            there = ", ".join(sorted(known)) or "none"
            raise ConfigError(f"no {kind} for {', '.join(unknown)} (there is: {there})")
        chosen = [entry for entry in present if entry.name in names]
    if kind == "cursor":
        products = {entry.name for entry in chosen}
        chosen += [e for e in read_state(store) if e.kind == "walk" and e.name in products]
    return chosen


def apply_reset(store: ObjectStore, entries: list[StateEntry]) -> int:
    """Delete the planned documents; return how many were deleted."""
    for entry in entries:
        store.delete(entry.key)
    return len(entries)


def reset_command(kind: str, names: tuple[str, ...] = ()) -> str:
    """The exact `coinlake state reset ...` command line for `kind` and `names`."""
    return " ".join(["coinlake state reset", kind, *names])
