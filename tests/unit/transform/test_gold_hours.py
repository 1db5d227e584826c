"""Which hours of which source partitions an incremental Gold run reads again."""

from __future__ import annotations

from typing import Any

from coinlake.tables.gold.trades_hourly import TABLE as TRADES_HOURLY
from coinlake.transform import sqlbuild
from coinlake.transform.gold import appended_hours
from coinlake.transform.state import Bookmark

DAY = "product_id=BTC-USD/date=2026-11-22"
NEXT = "product_id=BTC-USD/date=2026-11-23"
ETH = "product_id=ETH-USD/date=2026-11-22"


def _source(*changes: dict[str, Any]) -> Bookmark:
    return Bookmark(table="silver.trades", version=len(changes), changes=list(changes))


def _append(version: int, spans: dict[str, tuple[str, str]]) -> dict[str, Any]:
    return {
        "version": version,
        "full": False,
        "partitions": sorted(spans),
        "spans": {k: list(v) for k, v in spans.items()},
    }


def test_the_hours_run_from_the_first_span_s_hour_to_the_end_of_the_last_one_s() -> None:
    source = _source(
        _append(1, {DAY: ("2026-11-22T03:50:00.000001+00:00", "2026-11-22T04:10:00+00:00")}),
        _append(2, {DAY: ("2026-11-22T01:05:00+00:00", "2026-11-22T01:06:00+00:00")}),
        _append(3, {DAY: ("2026-11-22T05:00:00+00:00", "2026-11-22T05:00:00+00:00")}),
    )
    assert appended_hours(source, 0, {DAY}) == {DAY: ("2026-11-22 01:00:00", "2026-11-22 06:00:00")}
    # versions the table already caught up with do not count
    assert appended_hours(source, 2, {DAY}) == {DAY: ("2026-11-22 05:00:00", "2026-11-22 06:00:00")}


def test_a_partition_rewritten_once_since_is_read_whole() -> None:
    rewrite = {"version": 2, "full": False, "partitions": [DAY, ETH]}
    source = _source(
        _append(1, {DAY: ("2026-11-22T03:00:00+00:00", "2026-11-22T03:10:00+00:00")}),
        rewrite,
        _append(3, {ETH: ("2026-11-22T07:30:00+00:00", "2026-11-22T07:35:00+00:00")}),
    )
    assert appended_hours(source, 0, {DAY, ETH}) == {}
    assert appended_hours(source, 2, {ETH}) == {ETH: ("2026-11-22 07:00:00", "2026-11-22 08:00:00")}


def test_one_version_can_append_to_one_partition_and_rewrite_another() -> None:
    change = _append(1, {NEXT: ("2026-11-23T00:00:00+00:00", "2026-11-23T00:10:00+00:00")})
    change["partitions"] = [DAY, NEXT]
    assert appended_hours(_source(change), 0, {DAY, NEXT}) == {
        NEXT: ("2026-11-23 00:00:00", "2026-11-23 01:00:00")
    }


def test_times_in_another_offset_or_without_one_are_read_as_utc() -> None:
    source = _source(
        _append(1, {DAY: ("2026-11-22T05:30:00+02:00", "2026-11-22T04:59:59.999999")}),
    )
    assert appended_hours(source, 0, {DAY}) == {DAY: ("2026-11-22 03:00:00", "2026-11-22 05:00:00")}


def test_the_merge_keeps_the_year_s_rows_outside_the_replaced_hours() -> None:
    hours = {DAY: ("2026-11-22 01:00:00", "2026-11-22 06:00:00")}
    sql = sqlbuild.build_gold_merge_sql(TRADES_HOURLY, [DAY, ETH], hours=hours)
    kept = sql.split("FROM existing WHERE", 1)[1]
    assert "`hour` >= TIMESTAMP '2026-11-22 01:00:00'" in kept
    assert "`hour` < TIMESTAMP '2026-11-22 06:00:00'" in kept
    eth = kept.split(" OR ")[1]
    assert "ETH-USD" in eth and "TIMESTAMP" not in eth  # ETH-USD's day is replaced whole


def test_the_source_reads_each_partition_within_its_hours() -> None:
    window = ("2026-11-22 01:00:00", "2026-11-22 06:00:00")
    sql = sqlbuild.build_hours_source_sql("trade_time", [("silver_0", None), ("silver_1", window)])
    whole, hours = sql.split(" UNION ALL ")
    assert whole == "SELECT * FROM silver_0"
    assert hours == (
        "SELECT * FROM silver_1 WHERE `trade_time` >= TIMESTAMP '2026-11-22 01:00:00' "
        "AND `trade_time` < TIMESTAMP '2026-11-22 06:00:00'"
    )
