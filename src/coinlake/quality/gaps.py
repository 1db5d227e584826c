"""Missing trade-id ranges: what the completeness check found and what the exchange cannot serve.

`_state/quality/unservable/product=<P>.json` lists, per product, the id ranges a gap repair
asked the exchange for and did not get (`{"product": "BTC-USD", "ranges": [[low, high], ...]}`).
The completeness check counts those as *unservable* (reported, warn) instead of *servable*
(error, repairable). The exchange keeps every trade, so a range lands there only when the exchange
itself skipped those ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from coinlake.bronze.state import trades_cursor_key
from coinlake.sources.registry import REGISTRY
from coinlake.storage.base import ObjectStore, list_files, read_json

UNSERVABLE = "_state/quality/unservable"
"""Folder of the per-product unservable ranges."""


def cursor_folders() -> tuple[str, ...]:
    """Folders of the id cursors of every registered id-walked dataset
    (`_state/cursors/coinbase/trades`)."""
    return tuple(
        trades_cursor_key(source, dataset, "X").rsplit("/", 1)[0]
        for source, dataset in REGISTRY.id_walked()
    )


@dataclass(frozen=True, slots=True, order=True)
class IdRange:
    """Trade ids `low..high` (inclusive) of one product."""

    product: str
    low: int
    high: int
    servable: bool = True
    """False when a repair asked the exchange and it did not serve them."""

    @property
    def size(self) -> int:
        """How many ids."""
        return self.high - self.low + 1

    def __str__(self) -> str:
        return f"{self.product} {self.low}-{self.high}"


def unservable_key(product: str) -> str:
    """`_state/quality/unservable/product=<P>.json`."""
    return f"{UNSERVABLE}/product={product}.json"


def _product_of(key: str) -> str:
    return key.rsplit("/", 1)[-1].removeprefix("product=").removesuffix(".json")


def read_cursors(store: ObjectStore) -> dict[str, int]:
    """Each product's trade cursor (the last id landed)."""
    found: dict[str, int] = {}
    for folder in cursor_folders():
        found.update(_read_cursor_folder(store, folder))
    return found


def _read_cursor_folder(store: ObjectStore, folder: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for key in list_files(store, folder, ".json"):
        document = read_json(store, key)
        if isinstance(document, dict) and isinstance(document.get("last_trade_id"), int):
            found[_product_of(key)] = int(document["last_trade_id"])
    return found


def read_unservable(store: ObjectStore) -> list[IdRange]:
    """Every range recorded as unservable."""
    found: list[IdRange] = []
    for key in list_files(store, UNSERVABLE, ".json"):
        document = read_json(store, key)
        ranges = document.get("ranges", []) if isinstance(document, dict) else []
        for pair in ranges:
            if isinstance(pair, list) and len(pair) == 2:
                found.append(IdRange(_product_of(key), int(pair[0]), int(pair[1]), False))
    return sorted(found)


def unservable_document(product: str, ranges: list[IdRange]) -> dict[str, object]:
    """The stored document for `product`: its ranges merged where they touch, sorted."""
    merged: list[list[int]] = []
    for item in sorted(ranges):
        if merged and item.low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], item.high)
        else:
            merged.append([item.low, item.high])
    return {"product": product, "ranges": merged}
