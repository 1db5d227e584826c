"""`exact_div` on Spark equals the DuckDB macro and Python's half-up Decimal division."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from coinlake.engines.duckdb import DuckDBEngine
from coinlake.engines.spark import SparkEngine
from coinlake.errors import QueryFailedError

pytestmark = [pytest.mark.integration, pytest.mark.spark]

CASES = [
    ("1", "3"),
    ("2", "3"),
    ("0.000000005", "1"),  # exactly half a unit at the 9th place: up
    ("0.0000000049999999", "1"),  # just under: down
    ("0.000000015", "1"),
    ("91234.5678901234567891", "1.0000000000000001"),
    ("40000000000000.9999999999999999", "700"),
    ("48999999999999.9999999999999999", "1000"),
    ("1234567.12345678", "0.00012345"),
    ("0", "5"),
    ("1", "0"),
    ("0.0000000000000001", "0.0000000000000003"),
]


def _sql(a: str, b: str) -> str:
    return f"SELECT exact_div(CAST('{a}' AS DECIMAL(38, 16)), CAST('{b}' AS DECIMAL(38, 16)))"


def _python(a: str, b: str) -> Decimal | None:
    if Decimal(b) == 0:
        return None
    return (Decimal(a) / Decimal(b)).quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def engines(spark: Any) -> Any:
    spark_engine, duck = SparkEngine(spark), DuckDBEngine(threads=1, memory_limit="256MB")
    yield spark_engine, duck
    spark_engine.close()
    duck.close()


def test_spark_duckdb_and_python_agree_digit_for_digit(engines: Any) -> None:
    spark_engine, duck = engines
    union = " UNION ALL ".join(
        f"SELECT {i} AS i, ({_sql(a, b)}) AS q" for i, (a, b) in enumerate(CASES)
    )
    got = dict(spark_engine.rows(union))
    for i, (a, b) in enumerate(CASES):
        expected = _python(a, b)
        assert got[i] == expected, (a, b)
        assert duck.rows(_sql(a, b))[0][0] == expected, (a, b)


def test_operands_out_of_range_fail_instead_of_rounding(engines: Any) -> None:
    spark_engine, _duck = engines
    with pytest.raises(QueryFailedError, match="exact_div"):
        spark_engine.rows(_sql("123456789012.5", "0.0000001"))  # quotient > 9e10
    with pytest.raises(QueryFailedError, match="exact_div"):
        spark_engine.rows(_sql("49999999999999.9999999999999999", "700"))  # 2e8·a + b overflows
