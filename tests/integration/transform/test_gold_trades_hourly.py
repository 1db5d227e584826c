"""gold.trades_hourly against an independent Python Decimal recomputation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.transform.helpers import (
    T,
    gold_by_key,
    land_page,
    read_table,
    reference_gold,
    run,
)

pytestmark = pytest.mark.integration

HOUR = [
    T(10, "2026-11-22T10:00:00.000001Z", "100.01", "0.50000000", "buy"),
    T(11, "2026-11-22T10:59:59.999999Z", "100.03", "0.25000000", "sell"),
    T(13, "2026-11-22T10:30:00Z", "99.99", "0.00000003", "sell"),  # id 12 missing
    T(14, "2026-11-22T11:00:00Z", "101.00", "2.00000000", "buy"),  # next hour
]


def test_golden_hour_values(tmp_path: Path) -> None:
    land_page(tmp_path, "BTC-USD", "2026-11-22T11:00:03Z", HOUR)
    run(tmp_path)
    gold = read_table(tmp_path, "gold/trades_hourly", "hour")
    assert len(gold) == 2
    ten = gold[0]
    assert ten["hour"] == datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert ten["trade_count"] == 3
    assert ten["open"] == Decimal("100.01")  # lowest id, not earliest time
    assert ten["close"] == Decimal("99.99")  # highest id (13) although at 10:30
    assert (ten["high"], ten["low"]) == (Decimal("100.03"), Decimal("99.99"))
    assert ten["volume"] == Decimal("0.75000003")
    notional = (
        Decimal("100.01") * Decimal("0.5")
        + Decimal("100.03") * Decimal("0.25")
        + Decimal("99.99") * Decimal("0.00000003")
    )
    assert ten["notional"] == notional == Decimal("75.0125029997")
    # 75.0125029997 / 0.75000003 = 100.0166666656... -> 8 places
    assert ten["vwap"] == Decimal("100.01666667")
    assert ten["avg_price"] == Decimal("100.01000000")
    assert ten["buy_volume"] == Decimal("0.25000003")  # maker sold: the taker bought
    assert ten["sell_volume"] == Decimal("0.50000000")
    assert (ten["first_trade_id"], ten["last_trade_id"], ten["missing_trade_ids"]) == (10, 13, 1)
    assert gold[1]["trade_count"] == 1
    assert gold[1]["buy_volume"] == Decimal(0)


def test_vwap_rounds_half_up_at_the_eighth_place(tmp_path: Path) -> None:
    # notional 1.000000005 (= 0.5 * 1 + 0.5 * 1.00000001), volume 1: exactly half a unit
    # at the 9th place; half-up gives ...01 (half-even would give ...00)
    trades = [
        T(1, "2026-11-22T10:00:00Z", "1.00000000", "0.50000000", "buy"),
        T(2, "2026-11-22T10:00:01Z", "1.00000001", "0.50000000", "buy"),
    ]
    land_page(tmp_path, "BTC-USD", "2026-11-22T11:00:03Z", trades)
    run(tmp_path)
    (row,) = read_table(tmp_path, "gold/trades_hourly", "hour")
    assert row["notional"] == Decimal("1.000000005")
    assert row["vwap"] == Decimal("1.00000001")
    assert row["avg_price"] == Decimal("1.00000001")


def test_gold_of_a_generated_lake_equals_an_exact_recomputation_from_silver(tmp_path: Path) -> None:
    from coinlake.devtools.bronze_pages import PageSpec, write_trade_pages

    write_trade_pages(
        tmp_path,
        PageSpec(
            trades=6_000,
            products=("BTC-USD", "ETH-USD"),
            days=0.5,
            page_size=200,
            overlap_rate=0.2,
            late_rate=0.1,
            bad_row_rate=0.01,
            seed=3,
        ),
    )
    run(tmp_path)
    silver = read_table(tmp_path, "silver/trades", "product_id, trade_id")
    assert gold_by_key(read_table(tmp_path, "gold/trades_hourly", "product_id, hour")) == (
        reference_gold(silver)
    )


_BASE = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)
_trade = st.tuples(
    st.integers(min_value=0, max_value=4 * 3600 * 1_000_000 - 1),
    st.integers(min_value=1, max_value=10**9),  # price in 1e-8 units... up to 10
    st.integers(min_value=1, max_value=10**10),  # size in 1e-8 units, up to 100
    st.sampled_from(["buy", "sell"]),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    trades=st.lists(_trade, min_size=1, max_size=30),
    gaps=st.lists(st.integers(min_value=1, max_value=3), min_size=30, max_size=30),
    scale=st.sampled_from([1, 10**4, 10**7]),
)
def test_gold_equals_exact_recomputation_property(
    tmp_path_factory: pytest.TempPathFactory,
    trades: list[tuple[int, int, int, str]],
    gaps: list[int],
    scale: int,
) -> None:
    root = tmp_path_factory.mktemp("lake")
    trade_id = 1000
    rows = []
    for (offset, price_units, size_units, side), gap in zip(sorted(trades), gaps, strict=False):
        trade_id += gap
        moment = _BASE + timedelta(microseconds=offset)
        rows.append(
            T(
                trade_id,
                moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                str(Decimal(price_units * scale) / 10**8),
                str(Decimal(size_units) / 10**8),
                side,
            )
        )
    land_page(root, "BTC-USD", "2026-11-22T03:00:00Z", rows)
    run(root)
    silver = read_table(root, "silver/trades", "trade_id")
    assert len(silver) == len(rows)
    gold = gold_by_key(read_table(root, "gold/trades_hourly", "hour"))
    assert gold == reference_gold(silver)
