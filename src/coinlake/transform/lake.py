"""The lake as the transforms see it: keys under one root, listing, atomic small-file writes.

`Lake` is the seam: the runner and the state code use only it. `LocalLake` implements it on a
folder; `coinlake.transform.store_lake.StoreLake` on any `ObjectStore` (S3), with `root` as
`s3://bucket/prefix` for engines that read S3 themselves (Spark on Glue).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from coinlake.errors import CoinlakeError, ConfigError, StorageError

STAGING = "_staging"
"""Folder of in-flight outputs; never read by queries."""


_YOUR_SIDE = {
    errno.EACCES: "the lake must be writable",
    errno.EPERM: "the lake must be writable",
    errno.EROFS: "the lake is on a read-only file system",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "a part of the path is a file, not a folder",
}
"""OS errors that come from where the lake was put, with what to do about them."""


def lake_os_error(root: str, exc: OSError) -> CoinlakeError:
    """One clear error for an OS error met on a local lake: a `ConfigError` (a usage error:
    exit 2) when the lake's place is the problem (read-only, under a file), else a
    `StorageError` (a full disk, an I/O error)."""
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != root else ""
    what = exc.strerror or str(exc) or type(exc).__name__
    hint = _YOUR_SIDE.get(exc.errno or 0)
    if hint is not None:
        return ConfigError(f"lake {root}: {what}{where}: {hint}")
    return StorageError(f"lake {root}: {what}{where}")


class Lake(Protocol):
    """What the transforms need from a lake."""

    root: str
    """What engines prefix keys with (a folder, or a URI for remote lakes)."""

    def list_keys(self, prefix: str, suffix: str = "") -> list[str]:
        """Every file key under `prefix` ending in `suffix`, sorted, hidden/temp skipped."""

    def exists(self, key: str) -> bool:
        """True when `key` exists."""

    def read_json(self, key: str) -> Any | None:
        """The JSON document at `key`, or None when absent."""

    def read_bytes(self, key: str) -> bytes | None:
        """The bytes of the object at `key`, or None when absent."""

    def digest(self, key: str) -> tuple[int, str]:
        """(size, SHA-256 hex) of the object at `key`."""

    def write_json(self, key: str, document: object) -> None:
        """Write `document` at `key` atomically."""

    def move(self, source: str, target: str) -> None:
        """Move one object (atomic per object)."""

    def delete(self, key: str) -> None:
        """Remove one object; missing is fine."""

    def delete_tree(self, prefix: str) -> None:
        """Remove everything under `prefix`."""

    def prune_empty_dirs(self, prefix: str) -> None:
        """Remove empty folders under `prefix` (no-op for object stores)."""


class LocalLake:
    """A lake in a local folder (keys are `/`-separated paths relative to the root)."""

    def __init__(self, root: str | Path) -> None:
        """Use the folder `root` (created if missing).

        Raises:
            ConfigError: `root` is an S3 location or not a folder.
        """
        text = str(root)
        if text.startswith("s3://"):
            raise ConfigError(
                f"lake {text!r}: local transforms need a lake folder; S3 lakes are "
                "transformed on Spark by the Glue job (coinlake.runtime.glue_job)"
            )
        path = Path(text).expanduser().resolve()
        if path.exists() and not path.is_dir():
            raise ConfigError(f"lake {text!r} is not a folder")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise lake_os_error(text, exc) from exc
        self.root = str(path)

    def path(self, key: str) -> Path:
        """The local path of `key`."""
        return Path(self.root) / key

    def list_keys(self, prefix: str, suffix: str = "") -> list[str]:
        """Every file key under `prefix` ending in `suffix`, sorted; hidden and temp files
        (names starting with `.` or `_`) are skipped."""
        base = self.path(prefix)
        if not base.is_dir():
            return []
        found = [f"{prefix.rstrip('/')}/{rel}" for rel in _walk(base, "") if rel.endswith(suffix)]
        found.sort()
        return found

    def exists(self, key: str) -> bool:
        """True when `key` is a file in the lake."""
        return self.path(key).is_file()

    def read_json(self, key: str) -> Any | None:
        """The JSON document at `key`, or None when absent.

        Raises:
            StorageError: the file exists but is not JSON.
        """
        path = self.path(key)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as exc:
            raise StorageError(f"state file {path} is not valid JSON: {exc}") from exc

    def read_bytes(self, key: str) -> bytes | None:
        """The bytes of the file at `key`, or None when absent."""
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def digest(self, key: str) -> tuple[int, str]:
        """(size, SHA-256 hex) of the file at `key`, read in 1 MiB blocks."""
        hasher = hashlib.sha256()
        size = 0
        with self.path(key).open("rb") as handle:
            while block := handle.read(1 << 20):
                hasher.update(block)
                size += len(block)
        return size, hasher.hexdigest()

    def write_json(self, key: str, document: object) -> None:
        """Write `document` at `key` atomically (temp file, fsync, rename)."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        data = json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)

    def move(self, source: str, target: str) -> None:
        """Rename `source` to `target` (atomic on one file system)."""
        destination = self.path(target)
        destination.parent.mkdir(parents=True, exist_ok=True)
        self.path(source).replace(destination)

    def delete(self, key: str) -> None:
        """Remove `key`; a missing key is fine."""
        self.path(key).unlink(missing_ok=True)

    def delete_tree(self, prefix: str) -> None:
        """Remove everything under `prefix` (staging clean-up)."""
        base = self.path(prefix)
        if not base.exists():
            return
        for dirpath, dirnames, filenames in os.walk(base, topdown=False):
            for name in filenames:
                (Path(dirpath) / name).unlink()
            for name in dirnames:
                (Path(dirpath) / name).rmdir()
        base.rmdir()

    def prune_empty_dirs(self, prefix: str) -> None:
        """Remove empty folders under `prefix` (left behind by dropped partitions)."""
        base = self.path(prefix)
        if not base.is_dir():
            return
        for dirpath, _dirs, _files in os.walk(base, topdown=False):
            path = Path(dirpath)
            if path != base and not any(path.iterdir()):
                path.rmdir()


def _walk(base: Path, rel: str) -> Iterator[str]:
    with os.scandir(base) as entries:
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path), child)
            elif entry.is_file(follow_symlinks=False):
                yield child
