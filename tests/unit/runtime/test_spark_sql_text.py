"""The Spark engine's SQL rewriting (no JVM): `exact_div` calls become the integer formula."""

from __future__ import annotations

import pytest

from coinlake.engines.spark import expand_exact_div
from coinlake.errors import QueryFailedError
from coinlake.tables.catalog import gold_tables


def test_sql_without_exact_div_is_returned_unchanged() -> None:
    text = "SELECT  a   FROM  silver  -- exact_ comment"
    assert expand_exact_div(text) is text


def test_every_call_is_expanded_with_its_own_arguments() -> None:
    out = expand_exact_div("SELECT EXACT_DIV(SUM(x * y), COUNT(*)) AS q, exact_div(a, b) FROM t")
    assert "exact_div(" not in out.lower()
    assert out.count("DIV (CAST(") == 2
    assert "CAST(SUM(x * y) AS DECIMAL(38, 16)) * 200000000" in out
    assert "CAST(COUNT(*) AS DECIMAL(38, 16)) = 0" in out
    assert "CAST(a AS DECIMAL(38, 16))" in out
    assert "CAST(b AS DECIMAL(38, 16)) * 2" in out


def test_the_gold_definitions_expand() -> None:
    for gold in gold_tables():
        out = expand_exact_div(gold.sql)
        assert "exact_div(" not in out.lower()
        assert "RAISE_ERROR" in out


def test_a_wrong_arity_is_a_query_error() -> None:
    with pytest.raises(QueryFailedError, match="two arguments"):
        expand_exact_div("SELECT exact_div(a) FROM t")
