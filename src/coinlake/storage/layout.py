"""The lake's layout: every top-level area and every key the transforms read or write.

    bronze/...                                   raw API responses (object keys: `bronze.keys`)
    silver/<table>/<partitions>/part-*.parquet   typed, deduplicated rows
    gold/<table>/<partitions>/part-*.parquet     aggregates
    quarantine/<table>/date=YYYY-MM-DD/...       rows rejected on their way to silver/<table>
    _state/bookmarks/<layer.table>.json          what each table consumed (`transform.state`)
    _state/journal/<layer.table>.json            a table's in-flight commit
    _state/...                                   ingestion cursors, leases, runs (`bronze.state`)
    _staging/<layer.table>/<run>/...             a run's outputs before they are committed

Names that start with `.` or `_` are hidden: they are never data (temp files, locks, state,
staging), and `is_hidden` is the one place that rule is written. Pure: strings in, strings out.
"""

from __future__ import annotations

BRONZE = "bronze"
"""Raw responses, one object per API call, never overwritten."""
SILVER = "silver"
GOLD = "gold"
QUARANTINE = "quarantine"
STATE = "_state"
"""Cursors, bookmarks, journals, leases and run records."""
STAGING = "_staging"
"""In-flight outputs of the transforms; never read by queries."""


def bronze_dataset_prefix(source: str, dataset: str) -> str:
    """`bronze/source=<s>/dataset=<d>/`: every object of one dataset, the folder a Silver
    table reads (`bronze.keys.dataset_prefix` is the same key with its names checked)."""
    return f"{BRONZE}/source={source}/dataset={dataset}/"


def is_hidden(relative: str) -> bool:
    """True when any segment of the `/`-separated path starts with `.` or `_` (temp and lock
    files, `_state/`, `_staging/`, markers): such keys are never table data or Bronze objects."""
    padded = f"/{relative}"  # a segment starts with `.` or `_` where `/.` or `/_` occurs
    return "/." in padded or "/_" in padded


def table_path(name: str) -> str:
    """The folder of the Silver or Gold table `name`: `silver.trades` -> `silver/trades`."""
    layer, _, table = name.partition(".")
    return f"{layer}/{table}"


def quarantine_path(name: str) -> str:
    """The quarantine folder of the Silver table `name`: `silver.trades` -> `quarantine/trades`."""
    return f"{QUARANTINE}/{name.partition('.')[2]}"


def bookmark_key(table: str) -> str:
    """Where `table`'s bookmark lives."""
    return f"{STATE}/bookmarks/{table}.json"


def bookmarks_folder() -> str:
    """The folder of every table's bookmark."""
    return f"{STATE}/bookmarks"


def journal_key(table: str) -> str:
    """Where `table`'s in-flight commit record lives."""
    return f"{STATE}/journal/{table}.json"


def staging_folder(table: str, run: str = "") -> str:
    """`table`'s staging folder, or one run's folder inside it."""
    return f"{STAGING}/{table}/{run}" if run else f"{STAGING}/{table}"
