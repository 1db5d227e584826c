"""The one call every entry point makes: `run_transform(lake, engine, layer, full_refresh)`.

The CLI (`coinlake transform`) and the Glue job both build a lake and an engine and call this;
the tables it runs, in order, are `SILVER_TABLES` then `GOLD_TABLES`.
"""

from __future__ import annotations

from coinlake.engines.base import Engine
from coinlake.errors import ConfigError
from coinlake.gold.prices_daily import GOLD_PRICES_DAILY
from coinlake.gold.trades_hourly import GOLD_TRADES_HOURLY
from coinlake.silver.candles import SILVER_CANDLES
from coinlake.silver.prices import SILVER_PRICES
from coinlake.silver.trades import SILVER_TRADES
from coinlake.transform.definition import GoldDef, SilverDef
from coinlake.transform.lake import Lake
from coinlake.transform.runner import (
    MAX_BATCH_OBJECTS,
    Layer,
    Progress,
    TableSummary,
    _quiet,
    run_gold,
    run_silver,
)

SILVER_TABLES: tuple[SilverDef, ...] = (SILVER_TRADES, SILVER_PRICES, SILVER_CANDLES)
"""Silver tables in run order."""
GOLD_TABLES: tuple[GoldDef, ...] = (GOLD_TRADES_HOURLY, GOLD_PRICES_DAILY)
"""Gold tables in run order (each after its Silver source)."""


def run_transform(
    lake: Lake,
    engine: Engine,
    layer: Layer = "all",
    *,
    full_refresh: bool = False,
    progress: Progress = _quiet,
    max_batch_objects: int = MAX_BATCH_OBJECTS,
    partition: str | None = None,
) -> list[TableSummary]:
    """Run the Silver and/or Gold tables incrementally (or rebuilt when `full_refresh`).

    With `partition` (a partition folder such as `silver/trades/product_id=BTC-USD/date=...`,
    as `coinlake verify` prints it, and `full_refresh`) only that partition is rebuilt.

    Raises:
        ConfigError: `layer` is not silver, gold or all; `partition` without `full_refresh`
            or not a partition folder of a table.
    """
    if layer not in ("silver", "gold", "all"):
        raise ConfigError(f"layer {layer!r}: choose silver, gold or all")
    if partition is not None:
        if not full_refresh:
            raise ConfigError("--partition rebuilds one partition: give it with --full-refresh")
        from coinlake.transform.rebuild import rebuild_partition

        return [rebuild_partition(partition, (*SILVER_TABLES, *GOLD_TABLES), lake, engine)]
    summaries: list[TableSummary] = []
    if layer in ("silver", "all"):
        for silver in SILVER_TABLES:
            summaries.append(
                run_silver(
                    silver,
                    lake,
                    engine,
                    full_refresh=full_refresh,
                    progress=progress,
                    max_batch_objects=max_batch_objects,
                )
            )
    if layer in ("gold", "all"):
        for gold in GOLD_TABLES:
            summaries.append(
                run_gold(gold, lake, engine, full_refresh=full_refresh, progress=progress)
            )
    return summaries


def make_engine(name: str, *, threads: int = 2, memory_limit: str = "1GB") -> Engine:
    """The engine called `name`: `duckdb`, or `spark` (a local Spark session of `threads`
    cores; `memory_limit` applies to DuckDB only).

    Raises:
        ConfigError: unknown engine, or Spark not installed.
    """
    if name == "duckdb":
        from coinlake.engines.duckdb import DuckDBEngine

        return DuckDBEngine(threads=threads, memory_limit=memory_limit)
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
