"""`StoreLake`: the transforms' `Lake` on any `ObjectStore`, S3 included.

For engines that read and write the store's URIs themselves: Spark on AWS Glue reads
`s3://bucket/prefix/<key>` Bronze objects and writes staging Parquet there, and this class does
the rest of what the runner needs (listing, state documents, the commit's moves and deletes).
DuckDB's engine reads local paths only, so `coinlake transform` keeps `LocalLake` for DuckDB.

On S3 `move` is a copy through this process then a delete (the `ObjectStore` port has no
server-side copy); each Parquet file moved is one partition of one table (tens of MB at most
for hourly Gold and daily Silver partitions), so this stays within a Glue driver's memory.
State documents are written with `put` (atomic per object on S3). Folders do not exist on S3:
`prune_empty_dirs` does nothing.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from coinlake.errors import StorageError
from coinlake.storage.base import ObjectStore


def _hidden(relative: str) -> bool:
    """True when any path segment starts with `.` or `_` (temp files, staging, markers)."""
    return any(part.startswith((".", "_")) for part in relative.split("/"))


class StoreLake:
    """A lake on an `ObjectStore`; `root` is the store's URI (`s3://bucket/prefix`)."""

    def __init__(self, store: ObjectStore) -> None:
        """Use `store` (nothing is read or written here)."""
        self._store = store
        self.root = store.uri()

    @property
    def store(self) -> ObjectStore:
        """The store under the lake (transform leases live in it)."""
        return self._store

    def list_keys(self, prefix: str, suffix: str = "") -> list[str]:
        """Every key under the folder `prefix` ending in `suffix`, sorted; names starting with
        `.` or `_` below `prefix` are skipped, as `LocalLake` does."""
        folder = prefix.rstrip("/") + "/"
        found = [
            key
            for key in self._store.list(folder)
            if key.endswith(suffix) and not _hidden(key[len(folder) :])
        ]
        found.sort()
        return found

    def exists(self, key: str) -> bool:
        """True when `key` exists."""
        return self._store.exists(key)

    def read_json(self, key: str) -> Any | None:
        """The JSON document at `key`, or None when absent.

        Raises:
            StorageError: the object exists but is not JSON.
        """
        found = self._store.get_with_version(key)
        if found is None:
            return None
        try:
            return json.loads(found[0])
        except ValueError as exc:
            raise StorageError(f"state object {self._store.uri(key)} is not valid JSON") from exc

    def read_bytes(self, key: str) -> bytes | None:
        """The bytes of the object at `key`, or None when absent."""
        found = self._store.get_with_version(key)
        return None if found is None else found[0]

    def digest(self, key: str) -> tuple[int, str]:
        """(size, SHA-256 hex) of the object at `key` (read through this process)."""
        data = self._store.get(key)
        return len(data), hashlib.sha256(data).hexdigest()

    def write_json(self, key: str, document: object) -> None:
        """Write `document` at `key` (one atomic PUT)."""
        data = json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")
        self._store.put(key, data)

    def move(self, source: str, target: str) -> None:
        """Copy `source` to `target`, then delete `source` (each step atomic per object)."""
        self._store.put(target, self._store.get(source))
        self._store.delete(source)

    def delete(self, key: str) -> None:
        """Remove `key`; missing is fine."""
        self._store.delete(key)

    def delete_tree(self, prefix: str) -> None:
        """Remove every object under the folder `prefix`."""
        for key in list(self._store.list(prefix.rstrip("/") + "/")):
            self._store.delete(key)

    def prune_empty_dirs(self, prefix: str) -> None:
        """Nothing to do: object stores have no folders."""
        del prefix
