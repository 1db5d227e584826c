"""Table descriptions: every column explained, from the definitions; docs/tables.md current."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinlake.devtools import docs
from coinlake.errors import ConfigError
from coinlake.query.describe import all_tables, catalog, find_table, tables_markdown

ROOT = Path(__file__).resolve().parents[3]


def test_every_column_of_every_table_has_a_meaning() -> None:
    missing = [(t.name, c.name) for t in all_tables() for c in t.columns if not c.meaning]
    assert missing == []


def test_a_description_holds_the_definition_columns_and_partitions() -> None:
    doc = find_table("coinlake.gold_trades_hourly")
    spec = next(s for s in catalog() if s.name == "gold_trades_hourly")
    assert [(c.name, c.type) for c in doc.columns] == [(c.name, c.type) for c in spec.all_columns]
    assert doc.partitioned_by == ("product_id", "year")
    assert [c.name for c in doc.columns if c.partition] == ["product_id", "year"]
    vwap = next(c for c in doc.columns if c.name == "vwap")
    assert "notional / volume" in vwap.meaning
    assert doc.as_json()["columns"][0] == {  # type: ignore[index]
        "name": "hour",
        "type": "timestamp",
        "partition": False,
        "meaning": "Start of the UTC hour",
    }


def test_the_day_column_has_one_name_in_every_table() -> None:
    names = {c.name for t in all_tables() for c in t.columns}
    assert "date" in names
    assert "day" not in names


def test_an_unknown_table_names_the_closest_ones() -> None:
    with pytest.raises(ConfigError, match=r"did you mean gold_prices_daily"):
        find_table("gold_price_daily")


def test_docs_tables_md_is_generated_from_the_definitions_and_current() -> None:
    text = tables_markdown()
    assert "| `missing_trade_ids` | `bigint` | Ids absent inside the hour" in text
    assert (ROOT / "docs" / "tables.md").read_text(encoding="utf-8") == text


def test_the_docs_check_fails_on_a_stale_file_and_the_generator_fixes_it(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "tables.md").write_text("old\n")
    (tmp_path / "README.md").write_text(f"# x\n{docs.BEGIN}\n| stale |\n{docs.END}\nafter\n")
    assert docs.main(["--check", "--root", str(tmp_path)]) == 1
    assert docs.main(["--root", str(tmp_path)]) == 0
    assert docs.main(["--check", "--root", str(tmp_path)]) == 0
    readme = (tmp_path / "README.md").read_text()
    assert "| stale |" not in readme
    assert "| `coingecko_key_tier` | `COINLAKE_COINGECKO_KEY_TIER` | `demo` |" in readme
    assert readme.endswith(f"{docs.END}\nafter\n")


def test_a_readme_without_the_markers_is_refused(tmp_path: Path) -> None:
    with pytest.raises(docs.MarkersMissingError):
        docs.with_settings_table("# no markers\n")
