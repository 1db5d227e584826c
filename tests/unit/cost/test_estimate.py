"""The monthly cost estimate: each line is quantity x unit price, from the deployment's knobs."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from coinlake.cost import measured, prices
from coinlake.cost.estimate import (
    DAYS_PER_MONTH,
    TIB,
    CostLine,
    Workload,
    estimate_month,
    storage_gb_months,
)
from coinlake.deployment import DEFAULT_DEPLOYMENT
from coinlake.errors import ConfigError


def same(a: Decimal, b: Decimal) -> bool:
    """Equal to 20 places (Decimal keeps 28 digits, so the order of operations shows there)."""
    return abs(a - b) < Decimal("1e-20")


def line(lines: tuple[CostLine, ...], service: str, starts: str) -> CostLine:
    found = [x for x in lines if x.service == service and x.item.startswith(starts)]
    assert len(found) == 1, [x.item for x in lines]
    return found[0]


def test_glue_at_the_defaults_is_730_hourly_runs_of_2_workers_for_2_minutes() -> None:
    glue = line(estimate_month(Workload()).lines, "Glue", "2 G.1X")
    assert same(glue.quantity, Decimal(730) * 2 * 1 * Decimal(2) / 60)
    assert glue.usd.quantize(Decimal("0.0001")) == Decimal("21.4133")
    assert glue.price is prices.GLUE_DPU_HOUR


def test_glue_bills_at_least_one_minute_a_run() -> None:
    short = replace(DEFAULT_DEPLOYMENT, glue_expected_minutes=0.25)
    glue = line(estimate_month(Workload(deployment=short)).lines, "Glue", "2 G.1X")
    assert same(glue.quantity, Decimal(730) * 2 / 60)
    bigger = replace(DEFAULT_DEPLOYMENT, glue_worker_type="G.2X", glue_workers=3)
    glue = line(estimate_month(Workload(deployment=bigger)).lines, "Glue", "3 G.2X")
    assert same(glue.quantity, Decimal(730) * 3 * 2 * 2 / 60)


def test_lambda_requests_are_the_trades_runs_plus_the_daily_snapshot() -> None:
    lines = estimate_month(Workload()).lines
    assert line(lines, "Lambda", "requests").quantity == 730 * 12 + DAYS_PER_MONTH
    every_10 = replace(DEFAULT_DEPLOYMENT, trades_rate_minutes=10)
    lines = estimate_month(Workload(deployment=every_10)).lines
    assert line(lines, "Lambda", "requests").quantity == 730 * 6 + DAYS_PER_MONTH


def test_lambda_duration_follows_the_measured_page_rate_and_the_memory() -> None:
    lines = estimate_month(Workload()).lines
    trades_run = measured.RUN_OVERHEAD_SECONDS + 3 / measured.PAGES_PER_SECOND
    snapshot_run = measured.RUN_OVERHEAD_SECONDS + 1 / measured.PAGES_PER_SECOND
    expected = Decimal("0.5") * (8760 * trades_run + DAYS_PER_MONTH * snapshot_run)
    assert line(lines, "Lambda", "duration").quantity == expected
    doubled = replace(DEFAULT_DEPLOYMENT, lambda_memory_mb=1024)
    lines = estimate_month(Workload(deployment=doubled)).lines
    assert line(lines, "Lambda", "duration").quantity == 2 * expected


def test_athena_bills_the_10_mb_minimum_for_small_scans() -> None:
    athena = line(estimate_month(Workload(queries_per_day=100)).lines, "Athena", "100")
    assert same(athena.quantity, 100 * DAYS_PER_MONTH * 10 * 1024 * 1024 / TIB)
    wide = line(estimate_month(Workload(query_days=30)).lines, "Athena", "100")
    silver_day = 3 * measured.SANDBOX_TRADES_PER_PRODUCT_DAY * measured.SILVER_BYTES_PER_TRADE
    assert same(wide.quantity, 100 * DAYS_PER_MONTH * 30 * silver_day / TIB)


def test_the_total_is_the_sum_of_the_lines_rounded_to_the_cent() -> None:
    estimate = estimate_month(Workload())
    exact = sum((x.usd for x in estimate.lines), Decimal(0))
    assert estimate.total == exact.quantize(Decimal("0.01"))
    assert estimate.total == Decimal("23.49")


def test_disabled_schedules_leave_only_storage_and_alarms() -> None:
    off = replace(DEFAULT_DEPLOYMENT, schedules_enabled=False)
    estimate = estimate_month(Workload(deployment=off, queries_per_day=0))
    billed = {(x.service, x.item) for x in estimate.lines if x.usd > 0}
    storage = {("S3", f"{layer} Standard") for layer in ("bronze", "silver", "gold", "_state")}
    assert billed == {("CloudWatch", "alarms"), *storage}
    running = estimate_month(Workload(queries_per_day=0))
    assert [x for x in estimate.lines if x.item.endswith("Standard")] == [
        x for x in running.lines if x.item.endswith("Standard")
    ]
    assert any("schedules disabled" in text for text in estimate.assumptions)


def test_small_objects_never_leave_s3_standard() -> None:
    gb = storage_gb_months(Decimal(2**30), Decimal(64 * 1024), 12, ia_days=30, glacier_days=180)
    assert gb["Standard-IA"] == gb["Glacier IR"] == 0
    assert same(gb["Standard"], Decimal(Decimal(sum(range(335, 366))) / 31))


def test_large_objects_move_through_the_lifecycle_with_age() -> None:
    big = Decimal(1024 * 1024)
    first = storage_gb_months(Decimal(2**30), big, 1, ia_days=30, glacier_days=180)
    assert first["Standard-IA"] == first["Glacier IR"] == 0
    year = storage_gb_months(Decimal(2**30), big, 12, ia_days=30, glacier_days=180)
    assert same(year["Standard"], Decimal(30))
    assert same(year["Standard-IA"], Decimal(150))
    assert same(year["Glacier IR"], Decimal(Decimal(sum(range(335, 366)) - 180 * 31) / 31))


def test_objects_under_128_kb_are_billed_as_128_kb_once_transitioned() -> None:
    at_128 = storage_gb_months(Decimal(2**30), Decimal(128 * 1024), 3, ia_days=30, glacier_days=180)
    assert at_128["Standard-IA"] > 0
    assert (
        storage_gb_months(Decimal(2**30), Decimal(128 * 1024 - 1), 3, ia_days=30, glacier_days=180)[
            "Standard-IA"
        ]
        == 0
    )


def test_bronze_pages_at_the_defaults_are_too_small_for_the_lifecycle() -> None:
    estimate = estimate_month(Workload())
    assert [x.item for x in estimate.lines if x.item.startswith("bronze")] == ["bronze Standard"]
    assert any("under the 128 KB S3 lifecycle minimum" in a for a in estimate.assumptions)


def test_a_run_longer_than_the_lambda_timeout_is_flagged() -> None:
    busy = Workload(trades_per_product_day=500_000_000)
    assert any(a.startswith("WARNING: a run needs") for a in estimate_month(busy).assumptions)
    assert not any(a.startswith("WARNING") for a in estimate_month(Workload()).assumptions)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"month": 0}, "month 0"),
        ({"products": -1}, "products -1"),
        ({"query_days": 0}, "query-days 0"),
        ({"deployment": replace(DEFAULT_DEPLOYMENT, trades_rate_minutes=0)}, "trades-rate"),
    ],
    ids=["month zero", "negative products", "no query days", "zero rate"],
)
def test_impossible_workloads_are_config_errors(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Workload(**changes)  # type: ignore[arg-type]


def test_counts_come_from_the_deployment_unless_given() -> None:
    assert Workload().product_count == 3
    assert Workload(products=7).product_count == 7
    two = replace(DEFAULT_DEPLOYMENT, coins="bitcoin, ethereum")
    assert Workload(deployment=two).coin_count == 2


def test_the_default_budget_alert_does_not_fire_on_the_default_deployments_own_cost() -> None:
    # the Budget alerts at 80% of actual spend: the defaults must stay below that line
    total = estimate_month(Workload()).total
    assert total > 0
    assert total < Decimal(str(DEFAULT_DEPLOYMENT.budget_usd)) * Decimal("0.8")
