"""The one call entry points make: `run_quality(lake, engine, ...)` -> a `QualityRun`.

The CLI (`coinlake quality`), the scheduler (after its transforms) and the Glue job (on Spark,
then CloudWatch metrics) all call this.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from coinlake.engines.base import Engine
from coinlake.errors import ConfigError
from coinlake.quality.config import QualityConfig
from coinlake.quality.custom import all_checks
from coinlake.quality.model import CheckResult, Severity, failing
from coinlake.quality.results import write_results
from coinlake.quality.runner import run_checks
from coinlake.quality.tables import CHECKED_TABLES
from coinlake.transform.lake import Lake


@dataclass(slots=True)
class QualityRun:
    """What one quality run found."""

    run_id: str
    checked_at: datetime
    checks: int
    results: list[CheckResult]
    written: list[str] = field(default_factory=list)
    """Result files appended to `gold/quality_results`."""

    def failed(self, fail_on: Severity = "error") -> list[CheckResult]:
        """Failed results at or above `fail_on`."""
        return failing(self.results, fail_on)


def new_quality_run_id(now: datetime) -> str:
    """`q-YYYYMMDDTHHMMSSZ-xxxxxx`: sortable by time, unique."""
    return f"q-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def run_quality(
    lake: Lake,
    engine: Engine,
    config: QualityConfig,
    *,
    now: datetime,
    tables: Sequence[str] = (),
    write: bool = True,
    run_id: str | None = None,
) -> QualityRun:
    """Run every declared check (or those on `tables`) and append the results.

    Raises:
        ConfigError: an unknown table, or a bad `[quality]` setting.
    """
    known = [t.name for t in CHECKED_TABLES]
    wanted = [name.removeprefix("coinlake.") for name in tables]
    for name in wanted:
        if name not in known:
            raise ConfigError(f"--table {name!r}: choose from {', '.join(known)}")
    checks = [c for c in all_checks(config) if not wanted or c.table in wanted]
    run_id = run_id or new_quality_run_id(now)
    results = run_checks(lake, engine, checks, config, now=now, run_id=run_id)
    run = QualityRun(run_id, now, len(checks), results)
    if write:
        run.written = write_results(lake, engine, results)
    return run
