"""Run checks on an engine: register the tables and the context, run each check's SQL.

The engine is the transforms' (`coinlake.engines.base.Engine`): DuckDB in-process or Spark
(local or Glue), so both run the very same SQL text. Context views every check may read:

- `q_now(now_at TIMESTAMP)`: the run's time (freshness);
- `q_cursors(product_id STRING, last_id BIGINT)`: each product's ingest cursor;
- `q_unservable(product_id STRING, low BIGINT, high BIGINT)`: ranges the exchange did not serve;
- `q_coins(product_id STRING, coin_id STRING, vs_currency STRING)`: Coinbase product to
  CoinGecko coin and currency (`[quality.coins]`).

A check whose SQL fails (or whose table could not be read with its declared schema) gives one
failed result with `observed` -1 and the error as its sample: it never stops the other checks.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from coinlake.engines.base import Engine
from coinlake.errors import QueryFailedError
from coinlake.quality.config import QualityConfig
from coinlake.quality.crosschecks import GAPS_SQL
from coinlake.quality.gaps import IdRange, read_cursors, read_unservable
from coinlake.quality.model import Check, CheckResult
from coinlake.quality.tables import CHECKED_TABLES
from coinlake.transform.lake import Lake

logger = logging.getLogger(__name__)

OBSERVED_PLACES = 6
"""Observed values are rounded to this many decimal places: the two engines may differ in the
last bit of a floating-point aggregate, never at this precision."""


def literal(value: object) -> str:
    """A Spark SQL literal (strings escaped the Spark way; sqlglot re-escapes for DuckDB)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return f"CAST({value} AS BIGINT)"
    if isinstance(value, float):
        return f"CAST('{value!r}' AS DOUBLE)"
    if isinstance(value, datetime):
        return f"CAST('{value.strftime('%Y-%m-%d %H:%M:%S.%f')}' AS TIMESTAMP)"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def values_sql(names: Sequence[str], types: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Spark SQL for a small literal table with these columns (typed; no rows is fine)."""
    if not rows:
        casts = ", ".join(f"CAST(NULL AS {t}) AS {n}" for n, t in zip(names, types, strict=True))
        return f"SELECT {casts} WHERE FALSE"
    aliases = [f"c{i}" for i in range(len(names))]
    select = ", ".join(
        f"CAST({a} AS {t}) AS {n}" for a, n, t in zip(aliases, names, types, strict=True)
    )
    body = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    return f"SELECT {select} FROM VALUES {body} AS v({', '.join(aliases)})"  # noqa: S608


@dataclass(slots=True)
class Registered:
    """What `register_lake` set up."""

    broken: dict[str, str] = field(default_factory=dict)
    """Tables that could not be read with their declared schema, and why."""
    products: list[str] = field(default_factory=list)


def register_lake(lake: Lake, engine: Engine, config: QualityConfig, now: datetime) -> Registered:
    """Register every checked table (under its query name) and the context views."""
    done = Registered()
    for table in CHECKED_TABLES:
        keys = lake.list_keys(table.path, ".parquet")
        files = f"{table.name}_files"
        try:
            engine.register_parquet(files, lake.root, keys, table.columns, table.partition_by)
            # Spark re-reads the files for every check unless they are cached (28 checks on a
            # small lake: minutes); DuckDB reads Parquet fast enough to keep a plain view.
            keep = engine.materialize if engine.name == "spark" else engine.view
            keep(table.name, f"SELECT * FROM {files}")  # noqa: S608
        except QueryFailedError as exc:
            done.broken[table.name] = str(exc)
            engine.register_parquet(table.name, lake.root, [], table.columns, table.partition_by)
    cursors = read_cursors(lake)
    engine.view("q_now", values_sql(["now_at"], ["timestamp"], [[now]]))
    engine.view(
        "q_cursors",
        values_sql(["product_id", "last_id"], ["string", "bigint"], sorted(cursors.items())),
    )
    unservable = [[r.product, r.low, r.high] for r in read_unservable(lake)]
    engine.view(
        "q_unservable",
        values_sql(["product_id", "low", "high"], ["string", "bigint", "bigint"], unservable),
    )
    try:
        seen = [str(row[0]) for row in engine.rows("SELECT DISTINCT product_id FROM silver_trades")]
    except QueryFailedError:
        seen = []
    done.products = sorted(set(seen) | set(cursors))
    coins = []
    for product in done.products:
        base, _, quote = product.partition("-")
        if base in config.coins and quote:
            coins.append([product, config.coins[base], quote.lower()])
    engine.view(
        "q_coins",
        values_sql(["product_id", "coin_id", "vs_currency"], ["string"] * 3, coins),
    )
    return done


def _observed(value: object) -> float:
    number = float(str(value)) if value is not None else 0.0
    return 0.0 if math.isnan(number) else round(number, OBSERVED_PLACES)


def run_check(
    engine: Engine, check: Check, registered: Registered, run_id: str, now: datetime
) -> list[CheckResult]:
    """Run one check; its rows as results (one passing row for the table when it gave none)."""

    def result(partition: str, observed: float, sample: str, passed: bool) -> CheckResult:
        return CheckResult(
            check.name, check.table, partition, check.severity, passed, observed,
            check.threshold, sample, run_id, now,
        )  # fmt: skip

    broken = registered.broken.get(check.table)
    if broken is not None:
        return [result("", -1.0, f"table unreadable: {broken}", False)]
    try:
        rows = engine.rows(check.sql)
    except QueryFailedError as exc:
        logger.warning("quality check %s failed to run: %s", check.name, exc)
        return [result("", -1.0, f"check failed to run: {exc}", False)]
    if not rows:
        return [result("", 0.0, "", True)]
    results = []
    for partition, value, sample in sorted(rows, key=lambda r: str(r[0])):
        observed = _observed(value)
        results.append(
            result(str(partition or ""), observed, str(sample or ""), observed <= check.threshold)
        )
    return results


def run_checks(
    lake: Lake,
    engine: Engine,
    checks: Sequence[Check],
    config: QualityConfig,
    *,
    now: datetime,
    run_id: str,
) -> list[CheckResult]:
    """Register the lake on `engine` and run `checks` in order."""
    registered = register_lake(lake, engine, config, now)
    results: list[CheckResult] = []
    for check in checks:
        results += run_check(engine, check, registered, run_id, now)
    return results


def find_gaps(lake: Lake, engine: Engine, config: QualityConfig, now: datetime) -> list[IdRange]:
    """Every missing trade-id range in Silver, servable or not (what completeness reports)."""
    register_lake(lake, engine, config, now)
    return sorted(
        IdRange(str(p), int(str(low)), int(str(high)), bool(servable))
        for p, low, high, servable in engine.rows(GAPS_SQL)
    )
