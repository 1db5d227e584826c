"""`coinlake status`: what the lake holds, how fresh it is, and what is missing or pending.

Per table and product (or coin): rows, first/last event time, partitions; for trades also the
freshness (minutes since the last trade) and trade-id gaps (ids missing from the sequence, from
Silver when it has rows, else from Gold's `missing_trade_ids` plus the gaps between hours).
Quarantined rows per table, and Bronze objects the transform has not consumed yet (the Bronze
listing minus the keys recorded in `_state/bookmarks/`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from coinlake.errors import StorageError
from coinlake.query.views import run_sql
from coinlake.storage import layout
from coinlake.storage.base import ObjectStore, list_files, read_json
from coinlake.storage.packed_names import recorded_names
from coinlake.tables import catalog
from coinlake.tables.spec import UNREADABLE_RULE, Table

TRADES = "silver_trades"
"""The table whose products `--check` watches for freshness and trade-id gaps."""
TRADES_HOURLY = "gold_trades_hourly"
"""Its Gold roll-up, which reports gaps when Silver holds no rows."""


@dataclass(frozen=True, slots=True)
class TableStatus:
    """One table and product (or coin): what it holds."""

    table: str
    key: str
    rows: int
    partitions: int
    first_at: object = None
    last_at: object = None
    freshness_min: float | None = None
    """Minutes from the last event to now (trades tables only)."""
    gaps: int | None = None
    """Trade ids missing from the sequence (trades tables only)."""


@dataclass(slots=True)
class LakeStatus:
    """The whole status report."""

    now: datetime
    tables: list[TableStatus] = field(default_factory=list)
    quarantined: dict[str, int] = field(default_factory=dict)
    bronze_pending: dict[str, int] = field(default_factory=dict)
    """Untransformed Bronze objects per `source/dataset[/product]`."""
    bronze_total: int = 0
    unreadable: dict[str, str] = field(default_factory=dict)
    """Bronze objects the transform could not read (quarantined whole), key -> reason."""
    quality: str = "no quality run yet"
    """The latest `coinlake quality` run in one line (from `quality_results`)."""

    def problems(
        self, *, max_lag_minutes: float, max_gaps: int, products: Iterable[str] = ()
    ) -> list[str]:
        """Why `--check` should fail: stale or gappy products, configured products with no data."""
        found: list[str] = []
        trades = {s.key: s for s in self.tables if s.table == TRADES}
        for product in products:
            if product not in trades:
                found.append(f"{product}: no trades in silver_trades")
        for status in trades.values():
            if status.freshness_min is not None and status.freshness_min > max_lag_minutes:
                found.append(
                    f"{status.key}: last trade {status.freshness_min:.0f} min ago "
                    f"(limit {max_lag_minutes:g})"
                )
            if status.gaps is not None and status.gaps > max_gaps:
                found.append(f"{status.key}: {status.gaps} missing trade ids (limit {max_gaps})")
        if self.unreadable:
            found.append(
                f"{len(self.unreadable)} Bronze objects cannot be read (quarantined as "
                "unreadable_object; repair or re-fetch them, then transform --full-refresh)"
            )
        return found


def _partition_expr(spec: Table) -> str:
    keys = ", ".join(f'"{p.name}"' for p in spec.partition_by)
    return f"count(DISTINCT ({keys}))" if spec.partition_by else "1"


def _table_rows(con: duckdb.DuckDBPyConnection, spec: Table) -> list[dict[str, Any]]:
    key = f'"{spec.key_column}"' if spec.key_column else "'-'"
    time_col = f'"{spec.time_column}"' if spec.time_column else "NULL"
    sql = (
        f"SELECT {key} AS key, count(*) AS rows, {_partition_expr(spec)} AS partitions, "  # noqa: S608
        f"min({time_col}) AS first_at, max({time_col}) AS last_at "
        f"FROM coinlake.{spec.name} GROUP BY ALL ORDER BY key"
    )
    rows: list[dict[str, Any]] = run_sql(con, sql).to_pylist()
    return rows


def _unreadable(con: duckdb.DuckDBPyConnection, spec: Table) -> dict[str, str]:
    rows = run_sql(
        con,
        f"SELECT DISTINCT bronze_key, detail FROM coinlake.{spec.name} "  # noqa: S608
        f"WHERE rule = '{UNREADABLE_RULE}' ORDER BY bronze_key",
    ).to_pylist()
    return {str(row["bronze_key"]): str(row["detail"]) for row in rows}


def _trade_gaps(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    silver = run_sql(
        con,
        "SELECT product_id, max(trade_id) - min(trade_id) + 1 - count(DISTINCT trade_id) AS gaps "
        "FROM coinlake.silver_trades GROUP BY product_id",
    ).to_pylist()
    if silver:
        return {row["product_id"]: int(row["gaps"]) for row in silver}
    gold = run_sql(
        con,
        "SELECT product_id, sum(missing_trade_ids + between_hours) AS gaps FROM ("
        "  SELECT product_id, missing_trade_ids, greatest(coalesce(first_trade_id - "
        "    lag(last_trade_id) OVER (PARTITION BY product_id ORDER BY hour) - 1, 0), 0)"
        "    AS between_hours FROM coinlake.gold_trades_hourly"
        ") GROUP BY product_id",
    ).to_pylist()
    return {row["product_id"]: int(row["gaps"] or 0) for row in gold}


def build_status(
    con: duckdb.DuckDBPyConnection, store: ObjectStore, *, now: datetime
) -> LakeStatus:
    """Collect the status of every table through `con` (the lake's views) and the lake `store`.

    Raises:
        QueryFailedError: a view could not be read.
    """
    report = LakeStatus(now=now)
    gaps = _trade_gaps(con)
    for spec in catalog.sql_tables():
        if spec.layer == "quarantine":
            (row,) = run_sql(con, f"SELECT count(*) AS n FROM coinlake.{spec.name}").to_pylist()  # noqa: S608
            report.quarantined[spec.name] = int(row["n"])
            report.unreadable.update(_unreadable(con, spec))
            continue
        for row in _table_rows(con, spec):
            trades = spec.name in (TRADES, TRADES_HOURLY)
            last = row["last_at"]
            freshness = None
            if spec.name == TRADES and isinstance(last, datetime):
                freshness = round((now - last).total_seconds() / 60, 1)
            report.tables.append(
                TableStatus(
                    table=spec.name,
                    key=str(row["key"]),
                    rows=int(row["rows"]),
                    partitions=int(row["partitions"]),
                    first_at=row["first_at"],
                    last_at=last,
                    freshness_min=freshness,
                    gaps=gaps.get(str(row["key"])) if trades else None,
                )
            )
    report.quality = latest_quality(con)
    bronze = list_files(store, layout.BRONZE)
    done = processed_bronze_keys(store)
    report.bronze_total = len(bronze)
    report.bronze_pending = dict(
        sorted(Counter(bronze_group(k) for k in bronze if k not in done).items())
    )
    return report


def latest_quality(con: duckdb.DuckDBPyConnection) -> str:
    """The latest quality run in one line: checks, failed checks per severity and their names."""
    rows = run_sql(
        con,
        "SELECT run_id, max(checked_at) AS at, count(DISTINCT check_name) AS checks, "
        "list(DISTINCT check_name ORDER BY check_name) FILTER (WHERE NOT passed "
        "AND severity = 'error') AS errors, "
        "list(DISTINCT check_name ORDER BY check_name) FILTER (WHERE NOT passed "
        "AND severity = 'warn') AS warns "
        "FROM coinlake.quality_results WHERE run_id = "
        "(SELECT arg_max(run_id, checked_at) FROM coinlake.quality_results) GROUP BY run_id",
    ).to_pylist()
    if not rows:
        return "no quality run yet"
    row = rows[0]
    errors, warns = row["errors"] or [], row["warns"] or []
    text = f"{row['run_id']} at {_cell(row['at'])}: {row['checks']} checks"
    text += f", {len(errors)} failed (error){': ' + ', '.join(errors) if errors else ''}"
    return text + f", {len(warns)} warnings{': ' + ', '.join(warns) if warns else ''}"


def bronze_group(key: str) -> str:
    """`coinbase/trades/BTC-USD` for a Bronze key (source, dataset and product when present)."""
    parts = dict(p.split("=", 1) for p in key.split("/") if "=" in p)
    names = [parts.get("source", "?"), parts.get("dataset", "?")]
    if "product" in parts:
        names.append(parts["product"])
    return "/".join(names)


def processed_bronze_keys(store: ObjectStore) -> set[str]:
    """Every Bronze key the transform bookmarks under `_state/bookmarks/` record as consumed.

    A bookmark's `consumed` maps a Bronze folder to the object names read from it
    (`coinlake.transform.state`: packed into one string, or a list in format 1); full keys named
    anywhere else in a bookmark count too.
    """
    found: set[str] = set()
    for key in list_files(store, layout.bookmarks_folder()):
        try:
            document = read_json(store, key)
        except StorageError:
            continue  # not JSON (another engine's format): it names no keys we can compare
        consumed = document.get("consumed") if isinstance(document, dict) else None
        if isinstance(consumed, dict):
            for folder, recorded in consumed.items():
                found.update(f"{folder}/{name}" for name in recorded_names(recorded))
        found.update(_bronze_strings(document))
    return found


def _bronze_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        if value.startswith("bronze/"):
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _bronze_strings(key)
            yield from _bronze_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _bronze_strings(item)


STATUS_HEADERS = (
    "table",
    "key",
    "rows",
    "partitions",
    "first",
    "last",
    "freshness (min)",
    "gaps",
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def status_rows(report: LakeStatus) -> list[tuple[str, ...]]:
    """The per-table rows as text cells, in `STATUS_HEADERS` order."""
    return [
        (
            s.table,
            s.key,
            str(s.rows),
            str(s.partitions),
            _cell(s.first_at),
            _cell(s.last_at),
            _cell(s.freshness_min),
            _cell(s.gaps),
        )
        for s in report.tables
    ]


def _json_time(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime | date) else value


def status_json(report: LakeStatus) -> dict[str, object]:
    """The report as JSON-ready values: snake_case keys, numbers as numbers, ISO 8601 times."""
    return {
        "now": report.now.isoformat(),
        "tables": [
            {
                "table": s.table,
                "key": s.key,
                "rows": s.rows,
                "partitions": s.partitions,
                "first_at": _json_time(s.first_at),
                "last_at": _json_time(s.last_at),
                "freshness_min": s.freshness_min,
                "gaps": s.gaps,
            }
            for s in report.tables
        ],
        "quarantined": report.quarantined,
        "bronze_objects": report.bronze_total,
        "bronze_pending": report.bronze_pending,
        "bronze_unreadable": report.unreadable,
        "quality": report.quality,
    }
