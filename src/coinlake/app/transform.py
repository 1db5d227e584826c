"""Build Silver and Gold: the lake and engine of the settings, every table, then clean up.

What `coinlake transform`, the demo, the scheduler's transform job and the Glue job all call:

    summaries = transform(settings, "all", progress=show)

The engine is `settings.engine` (DuckDB in-process, or a local Spark session), or one the
caller already has (the Glue job's, on Glue's session). DuckDB runs on a local folder or on an
`s3://` lake: through the lake's `ObjectStore` it fetches the objects it reads into a local cache
and uploads what it writes into the lake's `_staging/` (`remote_lake`), so the commit is the
local lake's. A local Spark session has no S3 connector here: `--engine spark` on an S3 lake
names the Glue job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

from coinlake.app.lake import open_lake
from coinlake.config import Settings
from coinlake.engines.base import Engine
from coinlake.errors import ConfigError
from coinlake.storage.base import ObjectStore
from coinlake.storage.local import check_lake_folder, check_lake_writable, lake_os_error
from coinlake.tables import catalog
from coinlake.transform.runner import Layer, Progress, TableSummary, quiet, run_transform

if TYPE_CHECKING:
    from coinlake.engines.duckdb import RemoteLake
    from coinlake.transform.verify import VerifyLayer, VerifyReport


def make_engine(
    name: str, *, threads: int = 2, memory_limit: str = "1GB", remote: RemoteLake | None = None
) -> Engine:
    """The engine called `name`: `duckdb`, or `spark` (a local Spark session of `threads`
    cores, 0 for all; `memory_limit` and `remote`, the way to an S3 lake, apply to DuckDB only).

    Raises:
        ConfigError: unknown engine, or Spark not installed.
    """
    if name == "duckdb":
        from coinlake.engines.duckdb import DuckDBEngine

        return DuckDBEngine(threads=threads, memory_limit=memory_limit, remote=remote)
    if name == "spark":
        from coinlake.engines import spark

        try:
            engine: Engine = spark.SparkEngine(threads=threads)
        except ImportError as exc:
            raise ConfigError(
                f"engine 'spark' is not available here ({exc}); install the spark extra "
                "and Java 17, or use --engine duckdb"
            ) from exc
        return engine
    raise ConfigError(f"engine {name!r}: choose duckdb or spark")


def remote_lake(store: ObjectStore) -> RemoteLake:
    """How DuckDB reads and writes an S3 lake: through `store` (the lake's `ObjectStore`), its
    inputs fetched into a local cache and its staged output uploaded."""
    from coinlake.engines.duckdb import RemoteLake
    from coinlake.storage.base import get_files, put_folder

    return RemoteLake(fetch=partial(get_files, store), upload=partial(put_folder, store))


def spark_on_s3_error(lake: str) -> ConfigError:
    """The one line for `--engine spark` on an S3 lake: what to run instead."""
    return ConfigError(
        f"--lake {lake}: a local Spark session cannot reach S3; transform it with "
        "--engine duckdb here, or on AWS with the Glue job "
        "(`aws glue start-job-run --job-name coinlake-<stage>-transform`, deployed by "
        "`make deploy`: docs/aws.md)"
    )


@contextmanager
def lake_and_engine(
    settings: Settings,
    *,
    engine: Engine | None = None,
    threads: int = 2,
    memory_limit: str = "1GB",
    writes: bool = False,
) -> Iterator[tuple[ObjectStore, Engine]]:
    """The lake of `settings` and an engine to run tables or checks on, closed on exit.

    Args:
        engine: use this engine instead of one made from `settings.engine` (`threads` and
            `memory_limit` then do not apply). Either way the engine is closed at the end.
        writes: the caller writes to the lake: a local lake folder this process cannot write
            is refused first.

    Raises:
        ConfigError: a local Spark session with an S3 lake, a local lake folder that does not
            exist (or, with `writes`, is read-only), an unknown engine, Spark not installed.
    """
    try:
        if settings.lake_is_s3 and engine is None and settings.engine == "spark":
            raise spark_on_s3_error(settings.lake)
        if not settings.lake_is_s3:
            check_lake_folder(settings.lake)
            if writes:
                check_lake_writable(settings.lake)
        store = open_lake(settings)
    except BaseException:
        if engine is not None:
            engine.close()
        raise
    if engine is None:
        remote = remote_lake(store) if settings.lake_is_s3 else None
        engine = make_engine(
            settings.engine, threads=threads, memory_limit=memory_limit, remote=remote
        )
    try:
        yield store, engine
    except OSError as exc:  # the lake's folder, not our code: read-only, a full disk...
        if settings.lake_is_s3:
            raise
        raise lake_os_error(settings.lake, exc) from exc
    finally:
        engine.close()


def transform(
    settings: Settings,
    layer: Layer = "all",
    *,
    full_refresh: bool = False,
    progress: Progress = quiet,
    threads: int = 2,
    memory_limit: str = "1GB",
    engine: Engine | None = None,
    partition: str | None = None,
) -> list[TableSummary]:
    """Run the Silver and/or Gold tables of the lake at `settings.lake`.

    Args:
        engine: run on this engine instead of one made from `settings.engine` (`threads` and
            `memory_limit` then do not apply). Either way the engine is closed at the end.

    Raises:
        ConfigError: a local Spark session with an S3 lake, a local lake folder that does not
            exist, an unknown engine or layer, Spark not installed; `partition` without
            `full_refresh` or not a partition folder (`partition` rebuilds only that
            partition, as `coinlake verify` names it).
    """
    with lake_and_engine(
        settings, engine=engine, threads=threads, memory_limit=memory_limit, writes=True
    ) as (store, runner):
        return run_transform(
            store, runner, layer, full_refresh=full_refresh, progress=progress, partition=partition
        )


def verify_lake(settings: Settings, layer: VerifyLayer = "all") -> VerifyReport:
    """`coinlake verify`: every Bronze object and table file of `layer` checked against the size
    and SHA-256 recorded when it was written (local folder or S3 alike).

    Raises:
        ConfigError: the lake location is invalid.
    """
    from coinlake.transform.verify import verify_lake as verify

    return verify(open_lake(settings), layer, catalog.silver_tables(), catalog.gold_tables())
