"""The definitions: one Spark SQL text each, transpiling cleanly, with consistent schemas."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from coinlake.engines.duckdb_dialect import to_duckdb
from coinlake.tables.catalog import gold_tables, silver_tables
from coinlake.tables.gold.prices_daily import TABLE as PRICES_DAILY
from coinlake.tables.gold.trades_hourly import TABLE as TRADES_HOURLY
from coinlake.tables.spec import UNPARSABLE_RULE, GoldDef, SilverDef, type_in
from coinlake.transform import sqlbuild

ALL = [*silver_tables(), *gold_tables()]


def _sql(defn: SilverDef | GoldDef) -> str:
    return defn.stage_sql if isinstance(defn, SilverDef) else defn.sql


def _output_names(sql: str) -> list[str]:
    return [e.alias_or_name for e in sqlglot.parse_one(sql, read="spark").selects]


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.name)
@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_each_definition_parses_as_spark_sql_and_transpiles(
    defn: SilverDef | GoldDef, dialect: str
) -> None:
    text = to_duckdb(_sql(defn)) if dialect == "duckdb" else _sql(defn)
    tree = sqlglot.parse_one(text, read=dialect)
    assert isinstance(tree, exp.Query)
    assert [e.alias_or_name for e in tree.selects] == _output_names(_sql(defn))


@pytest.mark.parametrize("defn", silver_tables(), ids=lambda d: d.name)
def test_silver_stages_return_every_column_the_runner_needs(defn: SilverDef) -> None:
    names = set(_output_names(defn.stage_sql))
    needed = {c.name for c in defn.all_columns} | {c.name for c in defn.quarantine_columns}
    assert needed <= names | {"ingested_at"}
    assert {"rule", "detail"} <= names
    assert set(defn.key) <= {c.name for c in defn.all_columns}
    assert set(defn.winner_order) <= {c.name for c in defn.all_columns}


@pytest.mark.parametrize("defn", gold_tables(), ids=lambda d: d.name)
def test_gold_queries_return_exactly_the_declared_columns_in_order(defn: GoldDef) -> None:
    assert _output_names(defn.sql) == [c.name for c in defn.all_columns]
    source_parts = [c.name for c in defn.source.partition_by]
    if defn.year_of is None:
        assert [c.name for c in defn.partition_by] == source_parts[: len(defn.partition_by)]
        return
    # a year of the source's days: the levels above the day, then `year`; the day is data
    above = source_parts[: source_parts.index(defn.year_of)]
    assert [c.name for c in defn.partition_by] == [*above, "year"]
    assert defn.year_of in {c.name for c in defn.columns}


def test_timestamps_are_instants_in_duckdb() -> None:
    assert type_in("timestamp", "duckdb") == "TIMESTAMPTZ"
    assert type_in("decimal(18,8)", "duckdb") == "DECIMAL(18, 8)"


def test_the_dedup_ranks_only_repeated_keys_by_the_winner_order() -> None:
    (trades,) = [d for d in silver_tables() if d.name == "silver.trades"]
    text = sqlbuild.build_dedup_sql(trades)
    tree = sqlglot.parse_one(text, read="spark")
    assert "HAVING COUNT(*) > 1" in tree.sql(dialect="spark")
    assert "ORDER BY c.ingested_at, c.bronze_key" in text
    assert "LEFT ANTI JOIN" in text
    assert "ANTI JOIN" in to_duckdb(text)


def test_a_gold_partition_is_a_prefix_of_its_source_partition_or_its_year() -> None:
    assert PRICES_DAILY.partition_of("coin_id=bitcoin/date=2025-11-22") == "coin_id=bitcoin"
    assert (
        TRADES_HOURLY.partition_of("product_id=BTC-USD/date=2025-11-22")
        == "product_id=BTC-USD/year=2025"
    )


def test_a_year_partition_is_rebuilt_from_the_folder_above_its_days() -> None:
    assert sqlbuild.gold_source_prefixes(TRADES_HOURLY, {"product_id=BTC-USD/year=2025"}) == [
        "silver/trades/product_id=BTC-USD"
    ]
    assert sqlbuild.gold_source_prefixes(PRICES_DAILY, {"coin_id=bitcoin"}) == [
        "silver/prices/coin_id=bitcoin"
    ]


def test_a_year_merge_replaces_exactly_the_recomputed_days() -> None:
    text = sqlbuild.build_gold_merge_sql(
        TRADES_HOURLY, ["product_id=BTC-USD/date=2025-11-22", "product_id=ETH-USD/date=2025-11-23"]
    )
    kept = text.rsplit("WHERE", 1)[1]
    btc = "`product_id` = CAST('BTC-USD' AS string) AND `date` = CAST('2025-11-22' AS date)"
    assert btc in kept
    assert kept.count(" OR ") == 1
    assert "FROM silver" in to_duckdb(text)


@pytest.mark.parametrize("defn", silver_tables(), ids=lambda d: d.name)
def test_the_unparsable_object_query_lines_up_with_the_stage(defn: SilverDef) -> None:
    if defn.objects_sql is None:
        assert "'unparsable_response'" in defn.stage_sql
        return
    assert _output_names(defn.objects_sql) == _output_names(defn.stage_sql)


def test_a_gold_table_partitioned_on_what_its_source_cannot_name_is_refused() -> None:
    # by `date` over the hourly table: its changes name years, so a day would never be rebuilt
    with pytest.raises(TypeError, match=r"partition columns \['product_id', 'date'\]"):
        GoldDef(
            name="gold.trades_daily",
            source=TRADES_HOURLY,
            sql="SELECT 1",
            columns=(),
            partition_by=(TRADES_HOURLY.partition_by[0], TRADES_HOURLY.columns[-1]),
        )
    with pytest.raises(TypeError, match="year_of"):
        GoldDef(
            name="gold.x",
            source=TRADES_HOURLY.source,
            sql="SELECT 1",
            columns=(),
            partition_by=TRADES_HOURLY.partition_by,
            year_of="date",  # `date` must then be a data column
        )


@pytest.mark.parametrize("defn", silver_tables(), ids=lambda d: d.name)
def test_records_of_unparsable_objects_are_all_rejected(defn: SilverDef) -> None:
    # the dedup reads valid rows from the stage SQL's records only (`dedup.STAGED_ROWS`)
    if defn.objects_sql is None:
        return
    (rule,) = [
        e for e in sqlglot.parse_one(defn.objects_sql, read="spark").selects if e.alias == "rule"
    ]
    assert isinstance(rule.this, exp.Literal)
    assert rule.this.is_string
    assert rule.this.this == "unparsable_response"
    assert rule.this.this == UNPARSABLE_RULE  # the rule the batch profile counts objects by
