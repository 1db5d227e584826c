"""The DuckDB engine: runs the Spark SQL definitions in-process after sqlglot transpiles them.

Reads Bronze with `read_json` and an explicit schema (no type sniffing over millions of rows),
each object as one JSON value whatever whitespace it holds (`format='unstructured'`: an API body
may be pretty-printed, use CRLF or end with a newline, and is landed verbatim), keeps
intermediate results as temporary tables (spilled to disk past the memory limit), and writes
Hive-partitioned Parquet with one `COPY`. Threads and memory are bounded by the caller.

The lineage column `bronze_key` (a ~110-byte string repeated on each of a page's 1,000 rows) is
written through an ENUM of the keys the engine has seen: a partitioned `COPY` buffers every
string of every row per partition, and the ENUM makes that a small integer (profiled at 10M
trades: a third of the Silver write's CPU). The Parquet column is a plain string either way.

A lake that is not a local folder (`s3://bucket/prefix`) is reached through a `RemoteLake`, the
lake's `ObjectStore` seen from here: the objects a view reads are fetched once into a local
cache folder (one GET each, in parallel) and read there, and what the engine writes goes to a
local temporary folder and is uploaded under the same key, so the runner's staging and commit
are the ones a local lake has. (Reading `s3://` paths through an fsspec filesystem registered in
the connection works too, but DuckDB asks it for each file's size and time before reading it:
measured on moto, 1,067 HEAD requests for 25 Bronze objects and 10x the local run's time.)
Bronze objects and table files are never rewritten under the same key, so the cache stays valid
for the engine's life; it is deleted on `close`.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coinlake.engines.base import Row
from coinlake.engines.duckdb_copies import Split, copy_each, partitioned_copy_sql, plan_split
from coinlake.engines.duckdb_dialect import MACROS, quote, to_duckdb
from coinlake.errors import QueryFailedError
from coinlake.tables.spec import LINEAGE, Column, type_in

if TYPE_CHECKING:
    import duckdb

logger = logging.getLogger(__name__)


_KEYS_TABLE = "cl_lineage_keys"
_KEY_TYPE = "cl_bronze_key"
LINEAGE_ENUM_MIN_KEYS = 64
"""Fewer Bronze keys than this and no lineage-carrying Parquet view: a write keeps `bronze_key`
as VARCHAR (the ENUM saves memory on large batches; on a page or two, describing the query and
making the type cost more than it saves). The Parquet column is a string either way."""


_SELECTS_ALL = re.compile(r"(?:\bSELECT\s+(?:DISTINCT\s+)?|,\s*|\.)\*", re.IGNORECASE)
"""`SELECT *`, `, *` or `alias.*` (not `COUNT(*)` or a product `a * b`)."""


def may_carry_lineage(query: str) -> bool:
    """False when `query` cannot have a `bronze_key` column: it never names it and selects no
    `*`. A Gold query then skips the lineage ENUM's `DESCRIBE` (~8 ms of a ~90 ms incremental
    run, binding the whole query once more for nothing)."""
    return LINEAGE in query.lower() or _SELECTS_ALL.search(query) is not None


def _is_remote(root: str) -> bool:
    return "://" in root


def _paths(root: str, keys: Sequence[str]) -> list[str]:
    """Each key's path under the local folder `root`: the folder, "/", the key (joined as
    text: a batch has ~2,000 keys, and `Path` arithmetic cost ~20 ms of it)."""
    base = str(Path(root))
    return [f"{base}/{key}" for key in keys]


def _path_list(paths: Sequence[str]) -> str:
    return "[" + ", ".join(quote(path) for path in paths) + "]"


PERFECT_HASH_BITS = 22
"""A GROUP BY on one integer column whose values span fewer than 2^22 (by the column's
statistics) uses an array indexed by value instead of a hash table (DuckDB's default: 2^12). A
batch of one product's trades spans ~2M ids: the dedup's search for repeated ids took ~0.55x
the time (0.105 -> 0.057 s on 2M trades). The array is ~16 bytes per possible value and
thread, ~130 MB at most on two threads; wider ranges (a batch of several products) keep the
hash table."""


@dataclass(frozen=True, slots=True)
class RemoteLake:
    """How the engine reaches a lake that is not a local folder (an `s3://` lake)."""

    fetch: Callable[[Sequence[str], Path], object]
    """`fetch(keys, folder)`: copy the lake objects `keys` to `folder/<key>`
    (`storage.base.get_files` on the lake's `ObjectStore`)."""
    upload: Callable[[Path, str], object]
    """`upload(folder, key)`: put the files under the local `folder` into the lake under the
    lake-relative `key` (`storage.base.put_folder` on the lake's `ObjectStore`)."""


class DuckDBEngine:
    """Runs definitions on an in-process DuckDB connection."""

    name = "duckdb"

    def __init__(
        self,
        *,
        threads: int = 2,
        memory_limit: str = "1GB",
        temp_directory: str | None = None,
        remote: RemoteLake | None = None,
    ) -> None:
        """Open an in-memory database bounded to `threads` and `memory_limit`.

        Args:
            threads: worker threads (the machine's cores is right).
            memory_limit: DuckDB's buffer limit; intermediate tables spill beyond it.
            temp_directory: where spills go (defaults to DuckDB's own choice), and where a
                remote lake's inputs are cached and outputs staged (default: the system's).
            remote: how to read and write a lake that is not a local folder.
        """
        import duckdb

        config: dict[str, str | bool | int | float | list[str]] = {
            "threads": threads,
            "memory_limit": memory_limit,
            "preserve_insertion_order": False,
            "perfect_ht_threshold": PERFECT_HASH_BITS,
        }
        if temp_directory is not None:
            config["temp_directory"] = temp_directory
        self._con: duckdb.DuckDBPyConnection = duckdb.connect(":memory:", config=config)
        self._con.execute("SET TimeZone = 'UTC'")
        for macro in MACROS:
            self._con.execute(macro)
        self._con.execute(f"CREATE TEMP TABLE {_KEYS_TABLE} (k VARCHAR)")
        self._made: dict[str, str] = {}
        """Each temp view or table made, with its kind (`drop` then needs no catalog lookup)."""
        self._lineage_keys = 0
        """Bronze keys registered so far (each is a value of the lineage ENUM)."""
        self._lineage_views: set[str] = set()
        """Registered Parquet views that carry `bronze_key` (their values feed the ENUM)."""
        self._bronze_types = 0
        """ENUM types made for registered Bronze batches (each gets its own: staged tables of
        an earlier registration may still use the previous one)."""
        self._error = duckdb.Error
        self._threads = threads
        self._temp_directory = temp_directory
        self._remote = remote
        self._cache: Path | None = None
        """Where a remote lake's objects are read from (made on first use)."""
        self._cached_bronze: set[str] = set()
        """Bronze keys in the cache: only the latest registration's are kept."""

    def _run(self, sql: str) -> duckdb.DuckDBPyConnection:
        try:
            return self._con.execute(sql)
        except self._error as exc:
            raise QueryFailedError(f"DuckDB failed: {exc}") from exc

    def _readable(self, root: str, keys: Sequence[str], *, bronze: bool = False) -> str:
        """The folder holding `keys`: `root` itself when it is local; for a remote lake the
        cache, after fetching the keys it does not hold yet. With `bronze`, the Bronze objects
        of earlier registrations are dropped from the cache first: the runner materialises what
        it reads from a Bronze view before it registers the next batch, so the cache holds one
        batch of Bronze, not all of it, on a full refresh."""
        if not _is_remote(root):
            return root
        remote = self._remote_lake(root)
        if self._cache is None:
            self._cache = Path(tempfile.mkdtemp(prefix="coinlake-lake-", dir=self._temp_directory))
        if bronze:
            for stale in self._cached_bronze.difference(keys):
                (self._cache / stale).unlink(missing_ok=True)
            self._cached_bronze = set(keys)
        missing = [key for key in keys if not (self._cache / key).is_file()]
        if missing:
            remote.fetch(missing, self._cache)
        return str(self._cache)

    def _remote_lake(self, root: str) -> RemoteLake:
        if self._remote is None:
            raise QueryFailedError(f"{root}: this DuckDB engine was opened for local lakes only")
        return self._remote

    def register_bronze(
        self, view: str, root: str, keys: Sequence[str], schema: Sequence[Column]
    ) -> None:
        """See `Engine.register_bronze`."""
        if not keys:
            casts = ", ".join(
                ["CAST(NULL AS VARCHAR) AS bronze_key"]
                + [f"CAST(NULL AS {type_in(c.type, 'duckdb')}) AS {c.name}" for c in schema]
            )
            self._create("VIEW", view, f"SELECT {casts} WHERE FALSE")
            return
        root = self._readable(root, keys, bronze=True)
        self._con.execute(f"INSERT INTO {_KEYS_TABLE} SELECT unnest(?)", [list(keys)])
        self._lineage_keys += len(keys)
        # `bronze_key` as an ENUM of these keys: staged tables then hold a small integer per
        # row instead of the ~110-byte string (measured at 10M trades: -6% of the run). It
        # reads back as the string and turns VARCHAR wherever it meets one (a union with
        # existing Parquet rows); `read_json` reports each path as given (`_paths`: the folder,
        # "/", the key), so the key is the path past the folder, and the values are sorted, so
        # even the ENUM's own order is the strings' order.
        paths = _paths(root, keys)
        prefix_len = len(str(Path(root))) + 2
        values = sorted(set(keys))
        self._bronze_types += 1
        key_type = f"{_KEY_TYPE}_in_{self._bronze_types}"
        self._con.execute(f"CREATE TYPE {key_type} AS ENUM (SELECT unnest(?))", [values])
        spec = ", ".join(f"{quote(c.name)}: {quote(type_in(c.type, 'duckdb'))}" for c in schema)
        fields = ", ".join(c.name for c in schema)
        self._create(
            "VIEW",
            view,
            f"SELECT CAST(substr(filename, {prefix_len}) AS {key_type}) AS bronze_key, {fields} "  # noqa: S608
            f"FROM read_json({_path_list(paths)}, columns={{{spec}}}, "
            # not 'newline_delimited': a body with line breaks is one value over many lines
            # (measured on 1M trades in 1,018 pages: the same speed, ~2.0 s vs ~2.2 s)
            "format='unstructured', filename=true)",
        )

    def register_parquet(
        self,
        view: str,
        root: str,
        keys: Sequence[str],
        columns: Sequence[Column],
        partition_by: Sequence[Column],
    ) -> None:
        """See `Engine.register_parquet`."""
        wanted = list(columns) + list(partition_by)
        self._lineage_views.discard(view)
        if keys and any(c.name == LINEAGE for c in wanted):
            self._lineage_views.add(view)
        if not keys:
            casts = ", ".join(
                f"CAST(NULL AS {type_in(c.type, 'duckdb')}) AS {c.name}" for c in wanted
            )
            self._create("VIEW", view, f"SELECT {casts} WHERE FALSE")
            return
        root = self._readable(root, keys)
        hive_types = ", ".join(
            f"{quote(c.name)}: {quote(type_in(c.type, 'duckdb'))}" for c in partition_by
        )
        select = ", ".join(
            f"CAST({c.name} AS {type_in(c.type, 'duckdb')}) AS {c.name}" for c in wanted
        )
        self._create(
            "VIEW",
            view,
            f"SELECT {select} "  # noqa: S608
            f"FROM read_parquet({_path_list(_paths(root, keys))}, hive_partitioning=true, "
            f"hive_types={{{hive_types}}})",
        )

    def materialize(self, name: str, sql: str) -> None:
        """See `Engine.materialize`."""
        self._create("TABLE", name, to_duckdb(sql))

    def view(self, name: str, sql: str) -> None:
        """See `Engine.view`."""
        self._create("VIEW", name, to_duckdb(sql))

    def _create(self, kind: str, name: str, body: str) -> None:
        # in the main schema, not TEMP: `duckdb_copies.copy_each` runs on cursors that see it
        self._run(f"CREATE OR REPLACE {kind} {name} AS {body}")
        self._made[name] = kind

    def rows(self, sql: str) -> list[Row]:
        """See `Engine.rows`."""
        return [tuple(row) for row in self._run(to_duckdb(sql)).fetchall()]

    def write_partitioned(
        self,
        sql: str,
        root: str,
        out_dir: str,
        partition_by: Sequence[str],
        *,
        partitions: Sequence[str] | None = None,
        order_by: Sequence[str] = (),
    ) -> int:
        """See `Engine.write_partitioned`. A remote lake's output is written to a local
        temporary folder, then uploaded to `out_dir` (see `RemoteLake`). The query is described
        (to find a `bronze_key` column to write through the lineage ENUM) only when the engine
        registered enough Bronze keys for the ENUM to pay (`LINEAGE_ENUM_MIN_KEYS`).
        DuckDB's partitioned COPY keeps the query's order inside each file. Given at most
        `SPLIT_PARTITIONS` `partitions` and no `order_by`, each partition is written by a query
        of its own (`duckdb_copies.copy_each`)."""
        split = plan_split(partitions, order_by)
        if order_by:
            sql = f"SELECT * FROM ({sql}) AS unordered ORDER BY {', '.join(order_by)}"  # noqa: S608
        if not _is_remote(root):
            return self._write(sql, Path(root) / out_dir, partition_by, split)
        remote = self._remote_lake(root)
        with tempfile.TemporaryDirectory(prefix="coinlake-", dir=self._temp_directory) as tmp:
            written = self._write(sql, Path(tmp) / "out", partition_by, split)
            remote.upload(Path(tmp) / "out", out_dir)
        return written

    def _write(self, sql: str, target: Path, partition_by: Sequence[str], split: Split) -> int:
        """`split`: the partitions to write one by one (None: one partitioned `COPY`)."""
        target.mkdir(parents=True, exist_ok=True)
        query = to_duckdb(sql)
        worth_it = self._lineage_views or self._lineage_keys >= LINEAGE_ENUM_MIN_KEYS
        lineage = self._lineage_type(query) if worth_it and may_carry_lineage(query) else None
        if lineage is not None:
            try:
                return self._copy(lineage, target, partition_by, split)
            except QueryFailedError as exc:  # a key the ENUM lacks: write the strings as they are
                logger.warning("writing %s without the lineage ENUM: %s", target, exc)
                shutil.rmtree(target)
                target.mkdir(parents=True)
        return self._copy(query, target, partition_by, split)

    def _copy(self, query: str, target: Path, partition_by: Sequence[str], split: Split) -> int:
        if split is not None:
            return copy_each(self._con, self._threads, query, target, partition_by, split)
        result = self._run(partitioned_copy_sql(query, target, partition_by)).fetchone()
        written = int(result[0]) if result else 0
        logger.debug("wrote %d rows under %s", written, target)
        return written

    def _lineage_type(self, query: str) -> str | None:
        """`query` with `bronze_key` cast to an ENUM of every key it can hold (the keys of the
        registered Bronze objects and of the registered Parquet views), or None when the query
        has no such VARCHAR column."""
        described = self._run(f"DESCRIBE ({query})").fetchall()
        if not any(row[0] == LINEAGE and row[1] == "VARCHAR" for row in described):
            return None
        sources = [f"SELECT k FROM {_KEYS_TABLE}"]  # noqa: S608
        sources += [f"SELECT {LINEAGE} FROM {v}" for v in sorted(self._lineage_views)]  # noqa: S608
        self._run(
            f"CREATE OR REPLACE TYPE {_KEY_TYPE} AS ENUM "  # noqa: S608
            f"(SELECT DISTINCT k FROM ({' UNION ALL '.join(sources)}) AS s(k) WHERE k IS NOT NULL)"
        )
        return (
            f"SELECT * REPLACE (CAST({LINEAGE} AS {_KEY_TYPE}) AS {LINEAGE}) "  # noqa: S608
            f"FROM ({query}) AS q"
        )

    def drop(self, name: str) -> None:
        """See `Engine.drop`."""
        kind = self._made.pop(name, None)
        if kind is not None:
            self._run(f"DROP {kind} IF EXISTS {name}")
        self._lineage_views.discard(name)

    def close(self) -> None:
        """See `Engine.close` (a remote lake's cache folder is deleted too)."""
        self._con.close()
        if self._cache is not None:
            shutil.rmtree(self._cache, ignore_errors=True)
