"""The engine port: what DuckDB and Spark each implement to run the one set of definitions.

An engine is a thin adapter: it registers inputs as named views (Bronze JSON objects, existing
Parquet partitions), runs Spark SQL text from the definitions (transpiled to its own dialect
where needed), materialises intermediate results, and writes query results as Hive-partitioned
Parquet into a staging folder. Everything else (bookmarks, which files to read, atomic partition
replacement, summaries) lives in `coinlake.transform` and is shared by both engines.

Contract details every engine must honour so that both give identical rows:
- session time zone UTC; timestamps are instants written as Parquet TIMESTAMP(MICROS, UTC);
- `TRY_CAST` returns NULL on failure (Spark: set `spark.sql.ansi.enabled=false` or rely on
  `try_cast`); decimal types exactly as the definitions spell them;
- the portable function `exact_div(a, b)` (see `coinlake.tables.spec`);
- `register_bronze` exposes `bronze_key` as the lake-relative key of each object;
- `write_partitioned` writes one file (or a few for very large partitions) per partition,
  names them `part-*.parquet`, and omits partition columns from the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from coinlake.tables.spec import Column

Row = tuple[object, ...]


class Engine(Protocol):
    """Runs transform definitions on one engine (DuckDB in-process, Spark local or Glue)."""

    name: str
    """`duckdb` or `spark`."""

    def register_bronze(
        self, view: str, root: str, keys: Sequence[str], schema: Sequence[Column]
    ) -> None:
        """Expose Bronze envelopes `root/key` as `view`: `bronze_key` plus `schema` fields.

        Each object is one JSON document; fields missing from a document are NULL.
        """

    def register_parquet(
        self,
        view: str,
        root: str,
        keys: Sequence[str],
        columns: Sequence[Column],
        partition_by: Sequence[Column],
    ) -> None:
        """Expose Parquet files `root/key` (Hive-partitioned) as `view` with exactly
        `columns` + `partition_by`, typed as declared. No keys gives an empty view."""

    def materialize(self, name: str, sql: str) -> None:
        """Run Spark SQL `sql` once and keep its result as the table/view `name`."""

    def view(self, name: str, sql: str) -> None:
        """Define the lazy view `name` as Spark SQL `sql` (no computation yet)."""

    def rows(self, sql: str) -> list[Row]:
        """Run Spark SQL `sql` and return its (small) result."""

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
        """Write the result of Spark SQL `sql` as Parquet under `root/out_dir`, Hive-partitioned
        by `partition_by`; return the number of rows written. `order_by`: the
        columns each file's rows are sorted by (row groups then hold ranges of them, which a
        reader filtering on them skips by their statistics).

        `partitions` (Hive paths, `product_id=BTC-USD/date=2026-11-22`) says the result's rows
        all lie in those partitions and that one partition's rows are cheap to get by filtering
        `sql` on its values (it scans materialised tables or Parquet files and joins them with
        small ones: no aggregate or window over the whole input), so an engine may write each
        partition with a query of its own. It changes no row; an engine may ignore it."""

    def drop(self, name: str) -> None:
        """Forget a view or table registered or materialised earlier (no error if absent)."""

    def close(self) -> None:
        """Release the engine's resources."""
