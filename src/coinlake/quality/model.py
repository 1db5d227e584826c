"""What a quality check is and what running it gives.

A check is pure data: a name, the table it is about, a severity, a threshold and Spark SQL text
(the dialect the transforms are written in; DuckDB runs it after sqlglot transpiles it). The SQL
reads the engine views `coinlake.quality.runner` registers (the lake tables under their query
names, e.g. `silver_trades`, plus the context views `q_cursors`, `q_unservable`, `q_coins`) and
returns one row per partition it looked at, with exactly these columns:

    partition_key STRING   -- e.g. `product_id=BTC-USD/date=2026-11-29`, or '' for the table
    observed      DOUBLE   -- the measured value (offending rows, minutes, a ratio...)
    sample        STRING   -- a few offending keys, comma-separated (NULL when none)

A row passes when `observed <= threshold`. `info` checks are reported and never fail a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Severity = Literal["error", "warn", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warn", "info")
Kind = Literal[
    "schema",
    "validity",
    "uniqueness",
    "completeness",
    "freshness",
    "consistency",
    "anomaly",
    "custom",
]


@dataclass(frozen=True, slots=True)
class Check:
    """One declared check."""

    name: str
    """Unique name, e.g. `trades_price_positive`."""
    table: str
    """The table it is about (query name, e.g. `silver_trades`)."""
    kind: Kind
    """What family it belongs to."""
    severity: Severity
    """`error` fails `coinlake quality` (exit 1); `warn` fails it with `--fail-on warn`."""
    threshold: float
    """The largest `observed` value that passes."""
    sql: str
    """Spark SQL returning (partition_key, observed, sample) rows."""
    description: str = ""
    """One line for people: what a failure means."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check on one partition in one run."""

    check: str
    table: str
    partition: str
    severity: Severity
    passed: bool
    observed: float
    threshold: float
    sample: str
    run_id: str
    checked_at: datetime

    def comparable(self) -> tuple[object, ...]:
        """Everything but the run id and time (what two engines must agree on)."""
        return (
            self.check,
            self.table,
            self.partition,
            self.severity,
            self.passed,
            self.observed,
            self.threshold,
            self.sample,
        )


def failing(results: list[CheckResult], fail_on: Severity) -> list[CheckResult]:
    """The failed results at or above `fail_on` (`error`, or `warn` for error and warn)."""
    levels = {"error": ("error",), "warn": ("error", "warn"), "info": ("error", "warn")}
    return [r for r in results if not r.passed and r.severity in levels[fail_on]]
