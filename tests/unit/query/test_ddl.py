"""The generated Athena / Hive DDL: snapshots (compared as parsed SQL), projection and repair."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from coinlake.errors import ConfigError
from coinlake.query.ddl import (
    DdlOptions,
    build_create_table,
    build_ddl,
    check_location,
    split_statements,
)
from coinlake.tables.catalog import sql_table, sql_tables

GOLD_PRICES_DAILY = sql_table("gold_prices_daily")
GOLD_TRADES_HOURLY = sql_table("gold_trades_hourly")
SILVER_TRADES = sql_table("silver_trades")

SNAPSHOTS = Path(__file__).parent / "snapshots"
LOCATION = "s3://example-lake/prod"


def _parsed(script: str) -> list[str]:
    return [
        sqlglot.parse_one(statement, read="athena").sql("athena")
        for statement in split_statements(script)
    ]


def _properties(statement: str) -> dict[str, str]:
    tree = sqlglot.parse_one(statement, read="athena")
    return {
        prop.name: prop.text("value")
        for prop in tree.find_all(exp.Property)
        if isinstance(prop.args.get("value"), exp.Literal)
    }


def test_gold_trades_hourly_with_projection_matches_its_snapshot() -> None:
    script = build_ddl(DdlOptions(location=LOCATION), [GOLD_TRADES_HOURLY])
    expected = (SNAPSHOTS / "gold_trades_hourly.athena.sql").read_text()
    assert _parsed(script) == _parsed(expected)


def test_the_repair_variant_matches_its_snapshot() -> None:
    script = build_ddl(
        DdlOptions(location=LOCATION, projection=False), [SILVER_TRADES, GOLD_PRICES_DAILY]
    )
    expected = (SNAPSHOTS / "silver_trades_prices_daily.repair.sql").read_text()
    assert _parsed(script) == _parsed(expected)


def test_every_table_gets_one_parseable_create_statement() -> None:
    statements = split_statements(build_ddl(DdlOptions(location=LOCATION)))
    creates = [sqlglot.parse_one(s, read="athena") for s in statements[1:]]
    names = [tree.find(exp.Table).name for tree in creates]
    assert names == [spec.name for spec in sql_tables()]
    assert all(tree.args.get("kind") == "TABLE" for tree in creates)


def test_column_types_are_exact_decimals_and_timestamps() -> None:
    tree = sqlglot.parse_one(
        build_create_table(SILVER_TRADES, DdlOptions(location=LOCATION)), read="athena"
    )
    types = {col.name: col.args["kind"].sql("athena") for col in tree.find_all(exp.ColumnDef)}
    assert types["price"] == "DECIMAL(18, 8)"
    assert types["size"] == "DECIMAL(18, 8)"
    assert types["trade_time"] == "TIMESTAMP"
    assert types["trade_id"] == "BIGINT"
    assert types["product_id"] == "VARCHAR"
    assert types["date"] == "DATE"


def test_projection_covers_every_partition_key_and_the_location_template() -> None:
    options = DdlOptions(location=LOCATION, products=("BTC-USD", "DOGE-USD"))
    props = _properties(build_create_table(GOLD_TRADES_HOURLY, options))
    assert props["projection.enabled"] == "true"
    assert props["projection.product_id.values"] == "BTC-USD,DOGE-USD"
    assert props["projection.year.type"] == "date"
    assert props["projection.year.format"] == "yyyy"
    assert props["projection.year.range"] == "2015,NOW"
    assert props["projection.year.interval.unit"] == "YEARS"
    assert props["storage.location.template"] == (
        f"{LOCATION}/gold/trades_hourly/product_id=${{product_id}}/year=${{year}}/"
    )


def test_daily_tables_keep_a_daily_date_projection() -> None:
    props = _properties(build_create_table(SILVER_TRADES, DdlOptions(location=LOCATION)))
    assert props["projection.date.type"] == "date"
    assert props["projection.date.format"] == "yyyy-MM-dd"
    assert props["projection.date.range"] == "2015-01-01,NOW"
    assert props["projection.date.interval.unit"] == "DAYS"


def test_injected_projection_lets_any_product_through() -> None:
    options = DdlOptions(location=LOCATION, key_projection="injected")
    props = _properties(build_create_table(GOLD_TRADES_HOURLY, options))
    assert props["projection.product_id.type"] == "injected"
    assert "projection.product_id.values" not in props


def test_coin_tables_project_the_coin_ids() -> None:
    options = DdlOptions(location=LOCATION, coins=("bitcoin", "cardano"))
    props = _properties(build_create_table(GOLD_PRICES_DAILY, options))
    assert props["projection.coin_id.values"] == "bitcoin,cardano"
    assert "projection.date.type" not in props


def test_without_projection_each_partitioned_table_is_followed_by_a_repair() -> None:
    statements = split_statements(build_ddl(DdlOptions(location=LOCATION, projection=False)))
    repairs = [s for s in statements if s.startswith("MSCK REPAIR TABLE")]
    assert len(repairs) == len(sql_tables())
    assert "projection.enabled" not in "".join(statements)


def test_a_location_that_is_not_s3_is_refused_for_athena() -> None:
    with pytest.raises(ConfigError, match="s3://"):
        check_location("./lake", "athena")
    assert check_location("file:///tmp/lake/", "spark") == "file:///tmp/lake"


def test_unknown_table_names_list_the_known_ones() -> None:
    assert sql_table("coinlake.silver_trades") == SILVER_TRADES
    with pytest.raises(ConfigError, match="gold_trades_hourly"):
        sql_table("gold_trades_daily")
