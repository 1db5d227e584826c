"""`LocalStore`: the lake in a local folder.

- Every write goes to a hidden temp file in the target folder (`.<name>.<random>.tmp`), is
  fsynced, then moved into place: `os.replace` to overwrite, `os.link` to create-only (the link
  fails with `FileExistsError` when the name exists, so of two racing writers exactly one wins and
  no reader ever sees a half-written object). The folder is fsynced after the move, so an object
  is durable before the state that points past it is written.
- Versions are the SHA-256 of the content. `put_if_match` holds an exclusive `fcntl.flock` on a
  hidden lock file next to the object (`.<name>.lock`) while it compares and swaps, so
  compare-and-swap is atomic across threads and processes on one machine (not across NFS).
- A write refused because of where the lake is (a read-only file system, no permission) is a
  `ConfigError` (the CLI's exit 2: move or fix the lake); other failures (a full disk, an I/O
  error) are a `StorageError`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from coinlake.errors import CoinlakeError, ConcurrentUpdateError, ConfigError, StorageError
from coinlake.storage.base import check_key


def content_version(data: bytes) -> str:
    """The version token of a local object: the hex SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


class LocalStore:
    """An `ObjectStore` over a local folder (created on first write)."""

    def __init__(self, root: str | Path) -> None:
        """Use the folder `root`.

        Raises:
            ConfigError: `root` (or a folder above it) exists and is not a folder.
        """
        path = Path(root).expanduser().resolve()
        if path.exists() and not path.is_dir():
            raise ConfigError(f"lake folder {root} is a file, not a folder")
        blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise ConfigError(f"lake {str(root)!r} cannot be created: {blocking} is a file")
        self.root = path

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _temp_copy(self, path: Path, data: bytes) -> Path:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_error("cannot create folder", path.parent, exc) from exc
        temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            with temp.open("xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            _discard(temp)
            raise write_error("cannot write", path, exc) from exc
        return temp

    def put_if_absent(self, key: str, data: bytes) -> bool:
        """Create `key` unless it exists (atomic, exclusive). See `ObjectStore`."""
        path = self._path(key)
        if path.is_file():  # fast path for re-fetches; the link below is what decides
            return False
        temp = self._temp_copy(path, data)
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
        except OSError as exc:
            raise write_error("cannot create", path, exc) from exc
        finally:
            _discard(temp)
        _sync_folder(path.parent)
        return True

    def put(self, key: str, data: bytes) -> None:
        """Create or overwrite `key` atomically. See `ObjectStore`."""
        path = self._path(key)
        temp = self._temp_copy(path, data)
        try:
            temp.replace(path)
        except OSError as exc:
            _discard(temp)
            raise write_error("cannot write", path, exc) from exc
        _sync_folder(path.parent)

    def put_if_match(self, key: str, data: bytes, expected_version: str | None) -> str:
        """Compare-and-swap under a file lock. See `ObjectStore`."""
        path = self._path(key)
        with self._locked(path):
            current = self._read_version(path)
            if current != expected_version:
                raise ConcurrentUpdateError(_lost_race(key, expected_version, current))
            self.put(key, data)
        return content_version(data)

    @contextlib.contextmanager
    def _locked(self, path: Path) -> Iterator[None]:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            raise write_error("cannot lock", path, exc) from exc
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def _read_version(self, path: Path) -> str | None:
        try:
            return content_version(path.read_bytes())
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from exc

    def get(self, key: str) -> bytes:
        """The bytes of `key`. See `ObjectStore`."""
        found = self.get_with_version(key)
        if found is None:
            raise StorageError(f"{self._path(key)} does not exist")
        return found[0]

    def get_with_version(self, key: str) -> tuple[bytes, str] | None:
        """The bytes and content hash of `key`, or None. See `ObjectStore`."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from exc
        return data, content_version(data)

    def exists(self, key: str) -> bool:
        """True when `key` is a file. See `ObjectStore`."""
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with `prefix`, sorted; hidden (`.`) files skipped. See `ObjectStore`."""
        folder = prefix.rpartition("/")[0]
        base = self.root / folder if folder else self.root
        if folder:
            check_key(folder)
        if not base.is_dir():
            return iter(())
        found: list[str] = []
        for directory, subdirs, files in os.walk(base):
            subdirs[:] = [name for name in subdirs if not name.startswith(".")]
            relative = Path(directory).relative_to(self.root).as_posix()
            stem = "" if relative == "." else f"{relative}/"
            found.extend(
                f"{stem}{name}"
                for name in files
                if not name.startswith(".") and f"{stem}{name}".startswith(prefix)
            )
        found.sort()
        return iter(found)

    def delete(self, key: str) -> None:
        """Remove `key` if present. See `ObjectStore`."""
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise write_error("cannot delete", path, exc) from exc

    def move(self, source: str, target: str) -> None:
        """Rename `source` to `target` (atomic on one file system). See `ObjectStore`."""
        origin, destination = self._path(source), self._path(target)
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            origin.replace(destination)
        except OSError as exc:
            raise StorageError(f"cannot move {origin} to {destination}: {exc.strerror}") from exc
        _sync_folder(destination.parent)

    def delete_folder(self, prefix: str) -> None:
        """Remove the folder `prefix` and everything in it. See `ObjectStore`."""
        base = self._path(prefix.rstrip("/"))
        if not base.is_dir():
            return
        try:
            for directory, subdirs, files in os.walk(base, topdown=False):
                for name in files:
                    (Path(directory) / name).unlink()
                for name in subdirs:
                    (Path(directory) / name).rmdir()
            base.rmdir()
        except OSError as exc:
            raise StorageError(f"cannot delete {base}: {exc.strerror}") from exc

    def remove_empty_folders(self, prefix: str) -> None:
        """Remove the empty folders below `prefix`. See `ObjectStore`."""
        base = self._path(prefix.rstrip("/"))
        if not base.is_dir():
            return
        for directory, _subdirs, _files in os.walk(base, topdown=False):
            path = Path(directory)
            if path != base and not any(path.iterdir()):
                path.rmdir()

    def uri(self, key: str = "") -> str:
        """The absolute local path of `key` (of the root when empty)."""
        return str(self._path(key) if key else self.root)

    def local_path(self, key: str = "") -> Path | None:
        """The absolute local path of `key` (of the root when empty)."""
        return self._path(key) if key else self.root


def _sync_folder(folder: Path) -> None:
    """fsync the folder so the new name survives a power loss (data before state holds on disk)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some filesystems refuse fsync on folders; the rename itself is still atomic
    finally:
        os.close(descriptor)


_WHERE_THE_LAKE_IS = {
    errno.EROFS: "the lake must be on a writable file system",
    errno.EACCES: "the lake must be writable by this user",
    errno.EPERM: "the lake must be writable by this user",
}
"""Write failures that no retry cures: the lake's place is wrong, with what to do."""


def write_error(what: str, path: Path, exc: OSError) -> CoinlakeError:
    """One clear error for an OS error met writing `path`: a `ConfigError` (exit 2) when the
    lake's place refuses writes (read-only, no permission), else a `StorageError`."""
    reason = exc.strerror or type(exc).__name__
    hint = _WHERE_THE_LAKE_IS.get(exc.errno or 0)
    if hint is not None:
        return ConfigError(f"{what} {path}: {reason}: {hint}")
    return StorageError(f"{what} {path}: {reason}")


def _discard(temp: Path) -> None:
    """Remove a temp file after a failed write; on a read-only or broken folder that fails too,
    and the first error is the one to report."""
    with contextlib.suppress(OSError):
        temp.unlink(missing_ok=True)


def _lost_race(key: str, expected: str | None, current: str | None) -> str:
    if expected is None:
        return f"{key} was created by another writer; re-read it and retry"
    if current is None:
        return f"{key} was deleted by another writer; re-read it and retry"
    return f"{key} was changed by another writer; re-read it and retry"


_YOUR_SIDE = {
    errno.EACCES: "the lake must be writable",
    errno.EPERM: "the lake must be writable",
    errno.EROFS: "the lake is on a read-only file system",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "a part of the path is a file, not a folder",
}
"""OS errors that come from where the lake was put, with what to do about them."""


def lake_os_error(root: str, exc: OSError) -> CoinlakeError:
    """One clear error for an OS error met on a local lake (an engine writing its files): a
    `ConfigError` (a usage error: exit 2) when the lake's place is the problem (read-only,
    under a file), else a `StorageError` (a full disk, an I/O error)."""
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != root else ""
    what = exc.strerror or str(exc) or type(exc).__name__
    hint = _YOUR_SIDE.get(exc.errno or 0)
    if hint is not None:
        return ConfigError(f"lake {root}: {what}{where}: {hint}")
    return StorageError(f"lake {root}: {what}{where}")


def check_lake_folder(lake: str) -> None:
    """A transform reads an existing lake: a missing folder is a mistake, not a new empty lake.

    Raises:
        ConfigError: the folder is missing, is a file, or lies under a file.
    """
    path = Path(lake)
    if path.is_dir():
        return
    try:
        path.stat()
    except NotADirectoryError:
        raise ConfigError(f"lake {lake}: Not a directory (a part of it is a file)") from None
    except OSError:
        what = "does not exist"
    else:
        what = "is a file, not a folder"
    raise ConfigError(
        f"lake folder {lake} {what}: check --lake / COINLAKE_LAKE, or create the "
        "lake with `coinlake init` and land data with `coinlake ingest` first"
    )


def check_lake_writable(lake: str) -> None:
    """Refuse a lake folder this process cannot write (a read-only file system, no write
    permission). A transform checks it first: it writes nothing when it finds nothing new, so
    otherwise it would only fail on such a lake once there is work.

    Raises:
        ConfigError: the folder is read-only to this process (one line, exit 2).
    """
    path = Path(lake)
    if os.statvfs(path).f_flag & os.ST_RDONLY:
        code = errno.EROFS
    elif not os.access(path, os.W_OK):
        code = errno.EACCES
    else:
        return
    raise write_error("cannot write", path, OSError(code, os.strerror(code), str(path)))
