"""Adding a Gold table is one new module under `coinlake.tables.gold`, and nothing else.

The module below is written to a temporary folder that joins the `coinlake.tables.gold`
package (as a file dropped into `src/coinlake/tables/gold/` would): a daily roll-up built from
another Gold table, `gold.trades_hourly`. With no other edit it is transformed (incrementally,
after its source), queryable as a DuckDB view, in the Athena DDL and in `coinlake status`.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import coinlake
import coinlake.tables.gold
from coinlake.app.query import status
from coinlake.config import Settings
from coinlake.devtools.bronze_pages import PageSpec, write_trade_pages
from coinlake.query.ddl import DdlOptions, build_ddl
from coinlake.tables import catalog
from tests.integration.transform.helpers import read_table, run

pytestmark = pytest.mark.integration

MODULE = "trades_daily"
DAILY = '''"""gold.trades_daily: per product and UTC day, totals from gold.trades_hourly."""

from coinlake.tables.gold.trades_hourly import TABLE as HOURLY
from coinlake.tables.spec import GoldDef, columns

TABLE = GoldDef(
    name="gold.trades_daily",
    source=HOURLY,
    sql="""
SELECT
  CAST(SUM(trade_count) AS BIGINT) AS trade_count,
  CAST(SUM(volume) AS DECIMAL(38, 8)) AS volume,
  CAST(SUM(notional) AS DECIMAL(38, 16)) AS notional,
  MIN(first_trade_id) AS first_trade_id,
  MAX(last_trade_id) AS last_trade_id,
  `date`,
  product_id,
  `year`
FROM gold
GROUP BY product_id, `year`, `date`
""",
    columns=columns(
        ("trade_count", "bigint"),
        ("volume", "decimal(38,8)"),
        ("notional", "decimal(38,16)"),
        ("first_trade_id", "bigint"),
        ("last_trade_id", "bigint"),
        ("date", "date"),
    ),
    # a Gold source's partitions: a changed hourly year rebuilds that year of days
    partition_by=columns(("product_id", "string"), ("year", "string")),
    time_column="date",
    key_column="product_id",
    comment="Daily trade totals per product",
)
'''


@pytest.fixture
def daily_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    folder = tmp_path / "more_gold"
    folder.mkdir()
    (folder / f"{MODULE}.py").write_text(DAILY)
    monkeypatch.setattr(
        coinlake.tables.gold, "__path__", [*coinlake.tables.gold.__path__, str(folder)]
    )
    importlib.invalidate_caches()
    catalog.refresh()
    yield
    sys.modules.pop(f"coinlake.tables.gold.{MODULE}", None)
    catalog.refresh()


def _daily_from_silver(root: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """The expected roll-up, computed in Python from the Silver rows."""
    totals: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"trade_count": 0, "volume": Decimal(0), "notional": Decimal(0), "ids": []}
    )
    for row in read_table(root, "silver/trades", "product_id, trade_id"):
        day = row["trade_time"].astimezone(UTC).date().isoformat()
        total = totals[(row["product_id"], day)]
        total["trade_count"] += 1
        total["volume"] += row["size"]
        total["notional"] += row["price"] * row["size"]
        total["ids"].append(row["trade_id"])
    return {
        key: {
            "trade_count": t["trade_count"],
            "volume": t["volume"],
            "notional": t["notional"],
            "first_trade_id": min(t["ids"]),
            "last_trade_id": max(t["ids"]),
        }
        for key, t in totals.items()
    }


def _daily_rows(root: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (row["product_id"], row["date"].isoformat()): {
            k: v for k, v in row.items() if k not in ("product_id", "date", "year")
        }
        for row in read_table(root, "gold/trades_daily", "product_id, date")
    }


def _bronze_halves(tmp_path: Path) -> tuple[list[Path], list[Path], Path]:
    source = tmp_path / "pages"
    write_trade_pages(source, PageSpec(trades=2_000, products=("BTC-USD",), days=2.0, seed=5))
    files = sorted(source.rglob("*.json"))
    return files[: len(files) // 2], files[len(files) // 2 :], source


def _land(files: list[Path], source: Path, root: Path) -> None:
    for file in files:
        target = root / file.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)


@pytest.mark.usefixtures("daily_table")
def test_a_gold_table_read_from_another_gold_table_is_found_and_run_after_it() -> None:
    names = [gold.name for gold in catalog.gold_tables()]
    assert "gold.trades_daily" in names
    assert names.index("gold.trades_daily") > names.index("gold.trades_hourly")
    assert catalog.sql_table("gold_trades_daily").path == "gold/trades_daily"


@pytest.mark.usefixtures("daily_table")
def test_the_new_gold_table_is_transformed_incrementally_and_queryable(tmp_path: Path) -> None:
    first, second, source = _bronze_halves(tmp_path)
    root = tmp_path / "lake"
    _land(first, source, root)
    summaries = {s.table: s for s in run(root)}
    assert summaries["gold.trades_daily"].rows_written > 0
    # its rows in are the hourly rows it read (its source is Gold, not Silver)
    hourly = read_table(root, "gold/trades_hourly", "product_id, date")
    assert summaries["gold.trades_daily"].rows_in == len(hourly)
    assert _daily_rows(root) == _daily_from_silver(root)

    _land(second, source, root)
    summaries = {s.table: s for s in run(root)}
    daily = summaries["gold.trades_daily"]
    assert not daily.full_refresh
    assert 0 < daily.partitions_rewritten <= summaries["gold.trades_hourly"].partitions_rewritten
    assert _daily_rows(root) == _daily_from_silver(root)
    assert sum(r["trade_count"] for r in _daily_rows(root).values()) == 2_000

    con = coinlake.connect(root)
    (count,) = con.execute("SELECT sum(trade_count) FROM coinlake.gold_trades_daily").fetchall()[0]
    assert count == 2_000

    report = status(Settings(lake=str(root)), now=datetime.now(UTC))
    daily_status = [s for s in report.tables if s.table == "gold_trades_daily"]
    assert [s.key for s in daily_status] == ["BTC-USD"]
    assert daily_status[0].partitions == 1  # one product, one year


@pytest.mark.usefixtures("daily_table")
def test_the_new_gold_table_gets_its_athena_ddl() -> None:
    script = build_ddl(DdlOptions(location="s3://lake/prod"))
    assert "CREATE EXTERNAL TABLE IF NOT EXISTS `coinlake`.`gold_trades_daily`" in script
    assert "LOCATION 's3://lake/prod/gold/trades_daily/'" in script
    assert "COMMENT 'Daily trade totals per product'" in script


def test_without_the_module_the_catalog_has_no_such_table() -> None:
    assert "gold.trades_daily" not in [gold.name for gold in catalog.gold_tables()]
