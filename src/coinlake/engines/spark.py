"""The Spark engine: runs the Spark SQL definitions as written, locally or on AWS Glue.

It works on its own child session (`SparkSession.newSession()`): the caller's session (Glue's,
or the test suite's shared one) keeps its SQL settings and temporary views, while this engine
sets what the engine contract needs: UTC, ANSI off (Glue 5 / Spark 3.5 behaviour: `TRY_CAST`
and casts give NULL), exact decimal arithmetic (`allowPrecisionLoss=false`) and Parquet
timestamps as TIMESTAMP(MICROS, UTC).

- Bronze envelopes are read with `spark.read.json` and an explicit schema (no inference pass),
  in `multiLine` mode: each file is one JSON value whatever line breaks its (verbatim) body holds
  (line mode would read a pretty-printed body as broken lines and drop its rows); `bronze_key`
  comes from the file each row was read from, made lake-relative.
- Materialised results are persisted (memory, then disk) and counted once; views are bound to
  the plans they were defined on, so re-registering `bronze` later never changes them.
- Writes repartition by the partition columns, so each partition value is written by one task:
  one `part-*.parquet` file per partition, partition columns left out of the files.
- `exact_div(a, b)` (ADR 0002) is expanded in the SQL text into the same integer formula the
  DuckDB macro uses: `(2·a·10^8 + b) div (2·b)` on exact DECIMAL(38,16) operands, times 10^-8.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from coinlake.engines.base import Row
from coinlake.errors import ConfigError, QueryFailedError
from coinlake.tables.spec import Column

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

logger = logging.getLogger(__name__)

SESSION_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.sources.partitionOverwriteMode": "static",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
}
"""Runtime SQL settings the engine sets on its own session (the engine contract)."""

_OVERFLOW_AT = "9.9e21"
"""exact_div's operand bound: 2·a·10^8 + b and 2·b must fit DECIMAL(38,16) (22 integer digits);
checked in DOUBLE with a margin (so a up to ~4.9e13)."""
_QUOTIENT_AT = "9e10"
"""exact_div's quotient bound: quotient·10^8 must fit a BIGINT (what Spark's `DIV` returns)."""

_EXACT_DIV = (
    "CASE WHEN CAST(__b AS DECIMAL(38, 16)) = 0 THEN CAST(NULL AS DECIMAL(38, 8)) "
    f"WHEN CAST(__a AS DOUBLE) * 200000000 + CAST(__b AS DOUBLE) * 2 >= {_OVERFLOW_AT} "
    f"OR CAST(__a AS DOUBLE) / CAST(__b AS DOUBLE) >= {_QUOTIENT_AT} "
    "THEN CAST(RAISE_ERROR('exact_div: operands out of range (a < 4.9e13, a / b < 9e10)') "
    "AS DECIMAL(38, 8)) "
    "ELSE CAST(CAST((CAST(__a AS DECIMAL(38, 16)) * 200000000 + CAST(__b AS DECIMAL(38, 16))) "
    "DIV (CAST(__b AS DECIMAL(38, 16)) * 2) AS DECIMAL(38, 0)) * 0.00000001 AS DECIMAL(38, 8)) "
    "END"
)


@functools.lru_cache(maxsize=256)
def expand_exact_div(sql: str) -> str:
    """`sql` with every `exact_div(a, b)` call replaced by its exact Spark SQL formula.

    Text without the function is returned unchanged (no round trip through the parser).
    """
    if "exact_div" not in sql.lower():
        return sql
    template = sqlglot.parse_one(_EXACT_DIV, read="spark")

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() == "exact_div":
            if len(node.expressions) != 2:
                raise QueryFailedError("exact_div takes two arguments")
            a, b = node.expressions
            args: dict[str, exp.Expression] = {"__a": a, "__b": b}

            def fill(inner: exp.Expression) -> exp.Expression:
                if isinstance(inner, exp.Column) and inner.name in args and not inner.table:
                    return args[inner.name].copy()
                return inner

            filled: exp.Expression = template.copy().transform(fill)
            return filled
        return node

    tree = sqlglot.parse_one(sql, read="spark").transform(replace)
    return tree.sql(dialect="spark")


def _ddl(fields: Sequence[Column]) -> str:
    return ", ".join(f"`{c.name}` {c.type}" for c in fields)


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _location(root: str, key: str = "") -> str:
    """A path Spark reads and writes: `s3://` URIs as given, local folders absolute."""
    if "://" in root:
        return root.rstrip("/") + ("/" + key if key else "")
    return str(Path(root) / key) if key else str(Path(root))


def _root_marker(root: str) -> str:
    """The text after which Spark's file paths hold the lake-relative key."""
    if "://" in root:
        return root.split("://", 1)[1].rstrip("/") + "/"
    return str(Path(root).resolve()).rstrip("/") + "/"


def _table_base(keys: Sequence[str]) -> str:
    """The table folder of Hive-partitioned file keys (the path before the first `k=v` part)."""
    parts = keys[0].split("/")
    for index, part in enumerate(parts):
        if "=" in part:
            return "/".join(parts[:index])
    return "/".join(parts[:-1])


def build_local_session(
    *, threads: int = 0, driver_memory: str = "2g", shuffle_partitions: int = 0
) -> SparkSession:
    """A local SparkSession (`local[threads]`, all cores when 0) configured for the engine."""
    from pyspark.sql import SparkSession

    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ConfigError(
            "engine 'spark' needs Java 17 (Debian: openjdk-17-jre-headless; "
            "`make java` installs it), or use --engine duckdb"
        )
    # the driver talks to itself only: bind to loopback (also silences the hostname warning)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    cores = threads or os.cpu_count() or 2
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("coinlake-transform")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions or max(4, 2 * cores)))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
    )
    for key, value in SESSION_CONF.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine:
    """Runs definitions on a SparkSession (local, Glue or any cluster)."""

    name = "spark"

    def __init__(
        self,
        session: SparkSession | None = None,
        *,
        threads: int = 0,
        driver_memory: str = "2g",
        shuffle_partitions: int = 0,
    ) -> None:
        """Use `session` (Glue's, a test's) or build a local one.

        Args:
            session: an existing session; the engine works on a child session of it and never
                stops it. None reuses the process's active session the same way, or builds
                `local[threads]` and stops it on `close()`.
            threads: local cores (0 = all); ignored with `session`.
            driver_memory: local driver heap; ignored with `session`.
            shuffle_partitions: shuffle width (0 = 2 x cores, at least 4; the caller's
                setting with `session`).
        """
        from py4j.protocol import Py4JError  # type: ignore[import-untyped, unused-ignore]
        from pyspark.errors import PySparkException
        from pyspark.sql import SparkSession
        from pyspark.storagelevel import StorageLevel

        if session is None:
            # a session already running in this process (a notebook's, a test suite's) is
            # reused and left running: a JVM holds one SparkContext
            session = SparkSession.getActiveSession()
            self._owned = session is None
        else:
            self._owned = False
        parent = session or build_local_session(
            threads=threads, driver_memory=driver_memory, shuffle_partitions=shuffle_partitions
        )
        self._spark: SparkSession = parent.newSession()
        for key, value in SESSION_CONF.items():
            self._spark.conf.set(key, value)
        if not self._owned and shuffle_partitions:
            self._spark.conf.set("spark.sql.shuffle.partitions", str(shuffle_partitions))
        self._cached: dict[str, DataFrame] = {}
        self._errors: tuple[type[BaseException], ...] = (PySparkException, Py4JError)
        self._level = StorageLevel.MEMORY_AND_DISK

    @property
    def session(self) -> SparkSession:
        """The engine's own session (its settings and temporary views)."""
        return self._spark

    def _sql(self, sql: str) -> DataFrame:
        try:
            return self._spark.sql(expand_exact_div(sql))
        except self._errors as exc:
            raise QueryFailedError(f"Spark failed: {_first_line(exc)}") from exc

    def _act(self, action: Any, *args: Any) -> Any:
        """Run a Spark action, turning Spark's errors into `QueryFailedError`."""
        try:
            return action(*args)
        except self._errors as exc:
            raise QueryFailedError(f"Spark failed: {_first_line(exc)}") from exc

    def _listing_for(self, root: str) -> None:
        """List many files on the driver for local lakes: Spark's parallel listing job (one
        task per path past 32 paths) costs seconds there; S3 keeps it (one request a path)."""
        threshold = "32" if "://" in root else "1000000"
        self._spark.conf.set("spark.sql.sources.parallelPartitionDiscovery.threshold", threshold)

    def _empty(self, view: str, fields: Sequence[Column]) -> None:
        casts = ", ".join(f"CAST(NULL AS {c.type}) AS `{c.name}`" for c in fields)
        self._spark.sql(f"SELECT {casts} WHERE FALSE").createOrReplaceTempView(view)

    def register_bronze(
        self, view: str, root: str, keys: Sequence[str], schema: Sequence[Column]
    ) -> None:
        """See `Engine.register_bronze`."""
        self.drop(view)
        if not keys:
            self._empty(view, [Column("bronze_key", "string"), *schema])
            return
        from pyspark.sql import functions as F

        self._listing_for(root)
        reader = (
            self._spark.read.schema(_ddl(schema))
            .option("mode", "PERMISSIVE")
            .option("multiLine", "true")
        )
        frame = self._act(reader.json, [_location(root, key) for key in keys])
        marker = _root_marker(root)
        key = F.expr(
            f"substring(input_file_name(), instr(input_file_name(), {_quote(marker)}) "
            f"+ {len(marker)})"
        )
        frame = frame.select(key.alias("bronze_key"), *[F.col(c.name) for c in schema])
        frame.createOrReplaceTempView(view)

    def register_parquet(
        self,
        view: str,
        root: str,
        keys: Sequence[str],
        columns: Sequence[Column],
        partition_by: Sequence[Column],
    ) -> None:
        """See `Engine.register_parquet`."""
        self.drop(view)
        wanted = [*columns, *partition_by]
        if not keys:
            self._empty(view, wanted)
            return
        self._listing_for(root)
        reader = (
            self._spark.read.schema(_ddl(wanted))
            .option("basePath", _location(root, _table_base(keys)))
            .option("mergeSchema", "false")
        )
        frame = self._act(reader.parquet, *[_location(root, key) for key in keys])
        select = ", ".join(f"CAST(`{c.name}` AS {c.type}) AS `{c.name}`" for c in wanted)
        frame.selectExpr(*select.split(", ")).createOrReplaceTempView(view)

    def materialize(self, name: str, sql: str) -> None:
        """See `Engine.materialize`."""
        self.drop(name)
        frame = self._sql(sql).persist(self._level)
        self._act(frame.count)
        self._cached[name] = frame
        frame.createOrReplaceTempView(name)

    def view(self, name: str, sql: str) -> None:
        """See `Engine.view`."""
        self.drop(name)
        self._sql(sql).createOrReplaceTempView(name)

    def rows(self, sql: str) -> list[Row]:
        """See `Engine.rows`."""
        return [tuple(row) for row in self._act(self._sql(sql).collect)]

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
        """See `Engine.write_partitioned` (`partitions` changes nothing here: one
        Spark job writes every partition). The rows are sorted after the repartition (an
        ORDER BY in `sql` would not survive it), by the partition columns first: the writer
        sorts by those itself when the rows are not, losing the rest."""
        del partitions
        target = _location(root, out_dir)
        frame = self._sql(sql)
        frame = frame.repartition(*partition_by) if partition_by else frame.coalesce(1)
        if order_by:
            frame = frame.sortWithinPartitions(*partition_by, *order_by)
        writer = frame.write.mode("append").format("parquet")
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        self._act(writer.save, target)
        written = self._count_written(target)
        logger.debug("wrote %d rows under %s", written, target)
        return written

    def _count_written(self, target: str) -> int:
        """Rows in the Parquet files just written (from their footers: no data is read)."""
        self._listing_for(target)
        if "://" not in target and not any(Path(target).rglob("part-*.parquet")):
            return 0
        try:
            return int(self._spark.read.parquet(target).count())
        except self._errors as exc:
            if "UNABLE_TO_INFER_SCHEMA" in str(exc) or "PATH_NOT_FOUND" in str(exc):
                return 0
            raise QueryFailedError(f"Spark failed: {_first_line(exc)}") from exc

    def drop(self, name: str) -> None:
        """See `Engine.drop`."""
        self._spark.catalog.dropTempView(name)
        frame = self._cached.pop(name, None)
        if frame is not None:
            frame.unpersist()

    def close(self) -> None:
        """See `Engine.close`: forget views and caches; stop the session if the engine made it."""
        for name in list(self._cached):
            self.drop(name)
        for table in self._spark.catalog.listTables():
            if table.isTemporary:
                self._spark.catalog.dropTempView(table.name)
        if self._owned:
            self._spark.stop()


def _first_line(exc: BaseException) -> str:
    """One line saying what failed: for a JVM error its root cause (a task's exception is
    wrapped in `SparkException: Job aborted...`), else the first line of the message."""
    java = getattr(exc, "java_exception", None)
    if java is not None:
        try:
            while java.getCause() is not None:
                java = java.getCause()
            text = str(java.toString())
        except Exception:
            text = str(exc)
    else:
        text = str(exc)
    text = text.strip()
    return text.splitlines()[0] if text else type(exc).__name__
