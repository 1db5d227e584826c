"""The `ObjectStore` port: the few operations the lake needs from a local folder or S3.

Keys are lake-relative POSIX strings (`bronze/source=coinbase/.../x.json`, `_state/...`): no
leading `/`, no empty, `.` or `..` segments, no backslashes. Semantics shared by every store:

- `put_if_absent` is create-only and atomic: of two writers racing on one key exactly one wins,
  and the loser gets False with the winner's bytes kept (Bronze is never overwritten).
- `put` overwrites atomically: a reader sees the old bytes or the new, never a partial object.
- `put_if_match` is compare-and-swap on a version token (local: content hash; S3: ETag). It is
  what state objects (`_state/`) use so two concurrent runs never silently lose an update.
- `list(prefix)` is a plain string-prefix match over keys, sorted by code point (S3's order);
  local temporary and lock files (names starting with `.`) are never listed.
- `move` is atomic per object where the store can do it (a local rename); on S3 it is a
  server-side copy then a delete, so a reader may briefly see both keys, never neither.

Besides the port: `list_files` (the data files under a folder, hidden names skipped by the one
rule in `storage.layout`), `read_json`/`write_json` for small state documents, and `put_folder`
and `get_files` (a local folder's files into the lake and lake objects into a folder: how an
engine that reads and writes local files works on an S3 lake).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from coinlake.errors import StorageError
from coinlake.storage.layout import is_hidden


class InvalidKeyError(StorageError, ValueError):
    """A key is not a lake-relative POSIX path."""


def check_key(key: str) -> str:
    """Return `key` unchanged when it is a valid lake key.

    Raises:
        InvalidKeyError: empty, absolute, with `.`/`..`/empty segments or backslashes.
    """
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise InvalidKeyError(f"invalid lake key {key!r}: use a relative path like bronze/x.json")
    if any(part in {"", ".", ".."} for part in key.split("/")):
        raise InvalidKeyError(f"invalid lake key {key!r}: empty, '.' or '..' path segment")
    return key


@runtime_checkable
class ObjectStore(Protocol):
    """Objects under one lake root, addressed by lake-relative keys."""

    def put_if_absent(self, key: str, data: bytes) -> bool:
        """Create `key` with `data` unless it exists.

        Returns:
            True when this call created the object; False when the key already existed (the
            existing object is left untouched).
        """
        ...

    def put(self, key: str, data: bytes) -> None:
        """Create or overwrite `key` atomically."""
        ...

    def put_if_match(self, key: str, data: bytes, expected_version: str | None) -> str:
        """Write `key` only if its current version is `expected_version`.

        Args:
            expected_version: the token from `get_with_version`, or None for "must not exist".

        Returns:
            The new version token.

        Raises:
            ConcurrentUpdateError: someone else created, changed or deleted the object first.
        """
        ...

    def get(self, key: str) -> bytes:
        """The object's bytes.

        Raises:
            StorageError: the key does not exist (or cannot be read).
        """
        ...

    def get_with_version(self, key: str) -> tuple[bytes, str] | None:
        """The object's bytes and version token, or None when it does not exist."""
        ...

    def exists(self, key: str) -> bool:
        """True when `key` exists."""
        ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Every key starting with `prefix`, sorted."""
        ...

    def delete(self, key: str) -> None:
        """Remove `key`; a missing key is not an error."""
        ...

    def move(self, source: str, target: str) -> None:
        """Move one object to `target` (overwriting it).

        Raises:
            StorageError: `source` does not exist or cannot be moved.
        """
        ...

    def delete_folder(self, prefix: str) -> None:
        """Remove every object under the folder `prefix` (and, locally, the folder itself)."""
        ...

    def remove_empty_folders(self, prefix: str) -> None:
        """Remove empty folders under `prefix` (left by dropped partitions); S3 has none."""
        ...

    def uri(self, key: str = "") -> str:
        """Where `key` lives: `s3://bucket/prefix/key` or an absolute local path."""
        ...

    def local_path(self, key: str = "") -> Path | None:
        """The local file of `key` for engines that read files directly; None for S3."""
        ...


def list_files(store: ObjectStore, folder: str, suffix: str = "") -> list[str]:
    """Every key under the folder `folder` ending in `suffix`, sorted; keys with a hidden
    segment below `folder` (`storage.layout.is_hidden`) are skipped."""
    base = folder.rstrip("/") + "/"
    return sorted(
        key for key in store.list(base) if key.endswith(suffix) and not is_hidden(key[len(base) :])
    )


def read_bytes(store: ObjectStore, key: str) -> bytes | None:
    """The bytes of the object at `key`, or None when absent."""
    found = store.get_with_version(key)
    return None if found is None else found[0]


def digest(store: ObjectStore, key: str) -> tuple[int, str]:
    """(size, SHA-256 hex) of the object at `key` (a local file is read in 1 MiB blocks).

    Raises:
        StorageError: the object cannot be read.
    """
    path = store.local_path(key)
    if path is None:
        data = store.get(key)
        return len(data), hashlib.sha256(data).hexdigest()
    hasher = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                hasher.update(block)
                size += len(block)
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return size, hasher.hexdigest()


def digests_of(
    store: ObjectStore, keys: Sequence[str], *, workers: int = 8
) -> list[tuple[int, str]]:
    """`digest` of each of `keys`, in order, `workers` at a time (on S3 each is a GET).

    Raises:
        StorageError: an object cannot be read.
    """
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda key: digest(store, key), keys))


def read_json(store: ObjectStore, key: str) -> Any | None:
    """The JSON document at `key`, or None when absent.

    Raises:
        StorageError: the object exists but is not JSON.
    """
    found = store.get_with_version(key)
    if found is None:
        return None
    try:
        return json.loads(found[0])
    except ValueError as exc:
        raise StorageError(f"state object {store.uri(key)} is not valid JSON: {exc}") from exc


def write_json(store: ObjectStore, key: str, document: object) -> None:
    """Write `document` at `key` in one atomic put (compact, keys sorted)."""
    data = json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")
    store.put(key, data)


def get_files(store: ObjectStore, keys: Sequence[str], folder: Path, *, workers: int = 8) -> None:
    """Copy the objects `keys` to `folder/<key>`, `workers` at a time (one `get` each).

    Raises:
        StorageError: an object could not be read or its file written.
    """

    def fetch(key: str) -> None:
        target = folder / check_key(key)
        data = store.get(key)
        part = target.with_name(f".{target.name}.part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            part.write_bytes(data)
            part.replace(target)  # a file that exists is whole
        except OSError as exc:
            raise StorageError(f"cannot write {target}: {exc.strerror or exc}") from exc

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(fetch, keys))


def put_folder(store: ObjectStore, folder: Path, prefix: str, *, workers: int = 8) -> list[str]:
    """Upload every file under the local `folder` to `prefix/<path below folder>`, `workers` at
    a time (each one `put`: S3 round trips overlap); return the keys written, sorted.

    Raises:
        StorageError: a file could not be read or written (files already written stay: the
            caller's staging folder is cleaned by its next run).
    """
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    keys = [f"{prefix.rstrip('/')}/{path.relative_to(folder).as_posix()}" for path in files]

    def upload(pair: tuple[Path, str]) -> None:
        path, key = pair
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from exc
        store.put(key, data)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(upload, zip(files, keys, strict=True)))
    return sorted(keys)
