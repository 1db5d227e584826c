"""The catalog: every table found once, in run order, looked up by name; bad modules refused."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import coinlake.tables.gold
from coinlake.bronze.keys import dataset_prefix
from coinlake.errors import ConfigError
from coinlake.tables import catalog


def test_every_table_is_found_once_and_each_gold_table_runs_after_its_source() -> None:
    silver = [t.name for t in catalog.silver_tables()]
    gold = catalog.gold_tables()
    assert {"silver.trades", "silver.prices", "silver.candles"} <= set(silver)
    assert {"gold.trades_hourly", "gold.prices_daily"} <= {t.name for t in gold}
    ready = set(silver)
    for table in gold:
        assert table.source.name in ready
        ready.add(table.name)


def test_definitions_and_sql_tables_are_looked_up_by_name() -> None:
    assert catalog.definition("silver.trades").path == "silver/trades"
    assert catalog.sql_table("coinlake.gold_trades_hourly").path == "gold/trades_hourly"
    names = [t.name for t in catalog.sql_tables()]
    quarantines = [n for n in names if n.startswith("quarantine_")]
    assert len(quarantines) == len(catalog.silver_tables())
    with pytest.raises(ConfigError, match="known tables: silver"):
        catalog.definition("silver.nope")


def test_the_quality_results_table_is_queryable_but_never_transformed() -> None:
    results = catalog.sql_table("quality_results")
    assert results.path == "gold/quality_results"
    assert results.written_by == "coinlake quality"
    assert catalog.appended_tables() == (results,)
    assert "quality_results" not in {t.table.name for t in catalog.gold_tables()}
    with pytest.raises(ConfigError, match="unknown table"):
        catalog.definition("gold.quality_results")
    names = [t.name for t in catalog.sql_tables()]
    assert names.index("gold_prices_daily") < names.index("quality_results")
    assert names.index("quality_results") < names.index("quarantine_candles")


def test_every_column_says_what_it_means_and_nullable_names_real_columns() -> None:
    for table in catalog.sql_tables():
        assert all(c.doc for c in table.all_columns), table.name
        assert set(table.nullable) <= {c.name for c in table.all_columns}, table.name
    assert catalog.sql_table("silver_prices").nullable == (
        "market_cap",
        "volume_24h",
        "change_24h_pct",
    )


def test_silver_tables_read_the_bronze_folders_bronze_keys_builds() -> None:
    trades = catalog.definition("silver.trades")
    assert trades.bronze_prefixes == (dataset_prefix("coinbase", "trades"),)
    key = f"{dataset_prefix('coinbase', 'trades')}product=BTC-USD/date=2026-11-22/x.json"
    assert trades.input_for(key) is None


@pytest.fixture
def gold_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(
        coinlake.tables.gold, "__path__", [*coinlake.tables.gold.__path__, str(tmp_path)]
    )
    yield tmp_path
    for name in ("misnamed", "orphan", "notable"):
        sys.modules.pop(f"coinlake.tables.gold.{name}", None)
    catalog.refresh()


@pytest.mark.parametrize(
    ("module", "text", "message"),
    [
        ("notable", "TABLE = 1\n", "must define TABLE as a GoldDef"),
        (
            "misnamed",
            "from coinlake.tables.gold.trades_hourly import TABLE as H\n"
            "from dataclasses import replace\nTABLE = replace(H, name='silver.x')\n",
            "name starts with gold.",
        ),
        (
            "orphan",
            "from coinlake.tables.gold.trades_hourly import TABLE as H\n"
            "from dataclasses import replace\n"
            "TABLE = replace(H, name='gold.orphan', source=replace(H.source, name='silver.x'))\n",
            "source is not in the catalog",
        ),
    ],
)
def test_a_bad_table_module_is_refused_with_its_name(
    gold_folder: Path, module: str, text: str, message: str
) -> None:
    (gold_folder / f"{module}.py").write_text(text)
    importlib.invalidate_caches()
    catalog.refresh()
    with pytest.raises(TypeError, match=message):
        catalog.gold_tables()
