"""Data-quality checks on the lake of the settings: what `coinlake quality`, `coinlake backfill
--repair-gaps`, the scheduler's transform job and the Glue job call.

    run = run_quality(settings, config, now=now)                  # the checks, results appended
    summaries, run = transform_and_check(settings, "all", config, now=now)  # one engine for both

The checks run on the same engine as the transforms (`settings.engine`, or the one handed in),
opened and closed here (`coinlake.app.transform.lake_and_engine`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from coinlake.app.transform import lake_and_engine
from coinlake.config import Settings
from coinlake.engines.base import Engine
from coinlake.quality import api, runner
from coinlake.quality.api import QualityRun
from coinlake.quality.config import QualityConfig
from coinlake.quality.gaps import IdRange
from coinlake.transform.runner import Layer, Progress, TableSummary, quiet, run_transform


def run_quality(
    settings: Settings,
    config: QualityConfig,
    *,
    now: datetime,
    tables: Sequence[str] = (),
    write: bool = True,
    run_id: str | None = None,
    engine: Engine | None = None,
    threads: int = 2,
) -> QualityRun:
    """Run every declared check (or those on `tables`) and append the results.

    Raises:
        ConfigError: an unknown table, a bad `[quality]` setting, or no usable lake/engine.
    """
    with lake_and_engine(settings, engine=engine, threads=threads) as (store, runs_on):
        return api.run_quality(
            store, runs_on, config, now=now, tables=tables, write=write, run_id=run_id
        )


def transform_and_check(
    settings: Settings,
    layer: Layer,
    config: QualityConfig | None,
    *,
    now: datetime,
    full_refresh: bool = False,
    progress: Progress = quiet,
    engine: Engine | None = None,
    threads: int = 2,
) -> tuple[list[TableSummary], QualityRun | None]:
    """The transforms of `layer`, then (unless `config` is None) the checks, on one engine."""
    with lake_and_engine(settings, engine=engine, threads=threads) as (store, runs_on):
        summaries = run_transform(
            store, runs_on, layer, full_refresh=full_refresh, progress=progress
        )
        checked = None if config is None else api.run_quality(store, runs_on, config, now=now)
    return summaries, checked


def find_gaps(
    settings: Settings, config: QualityConfig, *, now: datetime, threads: int = 2
) -> list[IdRange]:
    """The missing trade-id ranges the completeness check sees (servable or not)."""
    with lake_and_engine(settings, threads=threads) as (store, runs_on):
        return runner.find_gaps(store, runs_on, config, now)
