"""The lake's layout: table folders from table names, state keys, and the hidden-name rule."""

from __future__ import annotations

import pytest

from coinlake.storage import layout


def test_table_folders_follow_the_table_name() -> None:
    assert layout.table_path("silver.trades") == "silver/trades"
    assert layout.table_path("gold.trades_hourly") == "gold/trades_hourly"
    assert layout.quarantine_path("silver.candles") == "quarantine/candles"


def test_state_and_staging_keys_live_under_hidden_areas() -> None:
    assert layout.bookmark_key("gold.prices_daily") == "_state/bookmarks/gold.prices_daily.json"
    assert layout.journal_key("silver.trades") == "_state/journal/silver.trades.json"
    assert layout.staging_folder("silver.trades") == "_staging/silver.trades"
    assert layout.staging_folder("silver.trades", "r1") == "_staging/silver.trades/r1"
    for key in (layout.bookmark_key("t"), layout.staging_folder("t", "r")):
        assert layout.is_hidden(key)


@pytest.mark.parametrize(
    ("relative", "hidden"),
    [
        ("date=2026-11-22/part-0.parquet", False),
        ("date=2026-11-22/.part-0.parquet.1a2b.tmp", True),
        ("date=2026-11-22/_SUCCESS", True),
        ("_tmp/part-0.parquet", True),
        ("product_id=BTC-USD/x_y.json", False),
    ],
)
def test_a_name_starting_with_a_dot_or_underscore_is_hidden(relative: str, hidden: bool) -> None:
    assert layout.is_hidden(relative) is hidden
