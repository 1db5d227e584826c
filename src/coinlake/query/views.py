"""DuckDB views over the lake, named exactly like the Athena tables (`coinlake.silver_trades`, ...).

A local lake is read by DuckDB itself (`read_parquet` with Hive partitioning, so a filter on
`product_id` or `date` skips whole folders). An S3 lake is read through pyarrow's S3 filesystem
(`aws.filesystem`): DuckDB's `httpfs` extension cannot be installed offline, and pyarrow datasets
give the same partition pruning (DuckDB pushes filters and projections into the Arrow scan). An S3
view sees the files that existed when the connection was made; reconnect to see newer ones.

Local views read each table's schema from its first file (no `union_by_name`): that option makes
DuckDB open the footer of every file at bind time, which on a year of daily partitions turned a
one-month query from 0.3 s into 1.3 s. The transforms write one schema per table, so nothing is
lost; a column added later needs a full rewrite of the table or a view change here.
Timestamps are `TIMESTAMP WITH TIME ZONE` (UTC); DuckDB needs `pytz` to hand them to Python rows.

A table with no files yet is still a view, with its documented columns and no rows, so a query
written for a full lake also runs on a fresh one.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from coinlake.config import Settings
from coinlake.errors import ConfigError, QueryFailedError
from coinlake.storage import layout
from coinlake.storage.base import ObjectStore
from coinlake.tables import catalog
from coinlake.tables.catalog import DATABASE
from coinlake.tables.spec import Table, type_in


def _glob(spec: Table) -> str:
    parts = [f"{p.name}=*" for p in spec.partition_by]
    return "/".join([*parts, "*.parquet"])


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _empty_view_sql(spec: Table) -> str:
    cols = ", ".join(
        f"CAST(NULL AS {type_in(col.type, 'duckdb')}) AS {_ident(col.name)}"
        for col in spec.all_columns
    )
    return f"SELECT {cols} WHERE false"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _hive_types(spec: Table) -> str:
    pairs = ", ".join(f"{_sql_str(p.name)}: {type_in(p.type, 'duckdb')}" for p in spec.partition_by)
    return "{" + pairs + "}"


def _local_view_sql(root: Path, spec: Table) -> str | None:
    folder = root / spec.path
    pattern = _glob(spec)
    if not folder.is_dir() or next(folder.glob(pattern), None) is None:
        return None
    source = (folder / pattern).as_posix()
    # Names come from the catalog and the path is quoted by _sql_str: no user text is spliced in.
    return (
        f"SELECT {_columns_in_order(spec)} FROM read_parquet({_sql_str(source)}, "  # noqa: S608
        f"hive_partitioning = true, hive_types = {_hive_types(spec)})"
    )


def _columns_in_order(spec: Table) -> str:
    # Data columns first, then the partition keys in folder order, as Athena and Spark show them.
    keys = ", ".join(_ident(p.name) for p in spec.partition_by)
    return f"* EXCLUDE ({keys}), {keys}"


def _arrow_partition_type(hive_type: str) -> pa.DataType:
    return pa.date32() if hive_type == "date" else pa.string()


def _s3_dataset(store: ObjectStore, spec: Table, fs: pafs.S3FileSystem) -> ds.Dataset | None:
    base = store.uri(spec.path).removeprefix("s3://")
    partitioning = ds.partitioning(
        pa.schema([(p.name, _arrow_partition_type(p.type)) for p in spec.partition_by]),
        flavor="hive",
    )
    try:
        info = fs.get_file_info(base)
        if info.type != pafs.FileType.Directory:
            return None
        dataset = ds.dataset(base, filesystem=fs, format="parquet", partitioning=partitioning)
    except OSError as exc:
        raise QueryFailedError(f"cannot list {store.uri(spec.path)}: {exc}") from exc
    files = getattr(dataset, "files", [])
    return dataset if files else None


def attach_views(
    con: duckdb.DuckDBPyConnection, store: ObjectStore, settings: Settings
) -> list[str]:
    """Create schema `coinlake` and one view per table of the lake `store` in `con`; return the
    views with data. An S3 lake is read with the endpoint and region of `settings`.

    Raises:
        QueryFailedError: a table's files could not be listed or read.
    """
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {DATABASE}")
    root = store.local_path()
    fs: pafs.S3FileSystem | None = None
    if root is None:
        from coinlake.aws.filesystem import s3_arrow_filesystem

        fs = s3_arrow_filesystem(settings)
    with_data: list[str] = []
    for spec in catalog.sql_tables():
        body: str | None
        if fs is not None:
            dataset = _s3_dataset(store, spec, fs)
            body = None
            if dataset is not None:
                arrow_name = f"__coinlake_arrow_{spec.name}"
                con.register(arrow_name, dataset)
                body = f"SELECT {_columns_in_order(spec)} FROM {arrow_name}"  # noqa: S608
        elif root is not None:
            body = _local_view_sql(root, spec)
        if body is not None:
            with_data.append(spec.name)
        sql = f"CREATE OR REPLACE VIEW {DATABASE}.{spec.name} AS {body or _empty_view_sql(spec)}"
        try:
            con.execute(sql)
        except duckdb.Error as exc:
            raise QueryFailedError(f"cannot create view {DATABASE}.{spec.name}: {exc}") from exc
    return with_data


def connect_lake(
    store: ObjectStore, settings: Settings, *, database: str = ":memory:"
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (UTC session time zone) with the views of the lake `store`.

    Raises:
        ConfigError: the local lake folder (or the S3 bucket) does not exist.
        QueryFailedError: the lake's files could not be read.
    """
    root = store.local_path()
    if root is not None and not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "does not exist"
        raise ConfigError(f"lake folder {settings.lake} {what} (set --lake or COINLAKE_LAKE)")
    if root is None:  # pyarrow sees a missing bucket as an empty folder; the store names it
        next(iter(store.list(f"{layout.STATE}/")), None)
    con = duckdb.connect(database)
    con.execute("SET TimeZone = 'UTC'")
    attach_views(con, store, settings)
    return con


def run_sql(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """Run one statement (or several; the last one's rows are returned) as an Arrow table.

    Raises:
        QueryFailedError: the SQL is invalid or failed; the message is DuckDB's first line and
            its hint ("Did you mean ...", "Candidate bindings: ...") when it gave one.
    """
    try:
        relation = con.sql(sql)
        if relation is None:
            return pa.table({})
        return relation.to_arrow_table()
    except duckdb.Error as exc:
        raise QueryFailedError(f"query failed: {duckdb_error_line(exc)}") from exc


_HINTS = ("did you mean", "candidate bindings", "candidate functions", "hint")


def duckdb_error_line(exc: duckdb.Error) -> str:
    """DuckDB's message on one line: its first line plus its suggestion, if any."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    hints = [line for line in lines[1:] if line.lower().startswith(_HINTS)]
    return " ".join([lines[0], *hints[:1]])
