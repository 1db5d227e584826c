"""The DuckDB engine's UTC arithmetic for `DATE_TRUNC` and `TO_DATE` gives what DuckDB's own
calendar functions give in a UTC session, on instants on both sides of every boundary, before
1970 included, and leaves the calls it does not rewrite as sqlglot writes them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coinlake.engines.duckdb import DuckDBEngine
from coinlake.engines.duckdb_dialect import to_duckdb

pytestmark = pytest.mark.integration

INSTANTS = """
SELECT CAST(t AS TIMESTAMPTZ) AS t FROM (VALUES
  ('2026-11-29 23:59:59.999999+00'), ('2026-11-30 00:00:00+00'), ('2026-11-30 00:00:00.000001+00'),
  ('2026-11-30 13:59:59.999999+00'), ('2026-11-30 14:00:00+00'), ('2024-02-29 12:34:56.789+00'),
  ('2026-11-30 01:30:00+05:00'), ('1970-01-01 00:00:00+00'), ('1969-12-31 23:59:59.999999+00'),
  ('1969-12-31 23:30:00.5+00'), ('1900-03-01 10:15:00+00'), (NULL)
) AS v(t)
"""


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    made = DuckDBEngine(threads=1, memory_limit="256MB")
    yield made
    made.close()


@pytest.mark.parametrize("unit", ["MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY"])
def test_truncation_by_arithmetic_equals_the_calendar(engine: DuckDBEngine, unit: str) -> None:
    ours = engine.rows(f"SELECT t, DATE_TRUNC('{unit}', t) FROM ({INSTANTS}) AS i")
    calendar = engine._con.execute(  # DuckDB's own date_trunc, not transpiled
        f"SELECT t, date_trunc('{unit.lower()}', t) FROM ({INSTANTS}) AS i"
    ).fetchall()
    assert sorted(ours, key=str) == sorted((tuple(row) for row in calendar), key=str)
    assert len(ours) == 12
    assert "CL_UTC_TRUNC" in to_duckdb(f"SELECT DATE_TRUNC('{unit}', t) FROM x")


def test_day_of_a_timestamp_by_arithmetic_equals_the_cast(engine: DuckDBEngine) -> None:
    ours = engine.rows(f"SELECT t, TO_DATE(t), TO_DATE(DATE_TRUNC('HOUR', t)) FROM ({INSTANTS})")
    calendar = engine._con.execute(
        f"SELECT t, CAST(t AS DATE), CAST(date_trunc('hour', t) AS DATE) FROM ({INSTANTS})"
    ).fetchall()
    assert sorted(ours, key=str) == sorted((tuple(row) for row in calendar), key=str)
    days = {row[1] for row in ours if row[0] is not None}
    assert {str(day) for day in days} >= {"1969-12-31", "1970-01-01", "2026-11-29", "1900-03-01"}


def test_strings_and_dates_keep_their_casts(engine: DuckDBEngine) -> None:
    rows = engine.rows(
        "SELECT TO_DATE('2026-11-30'), TO_DATE('2026-11-30T01:00:00+05:00'), "
        "TO_DATE(DATE '2026-11-30'), TO_DATE('not a date'), "
        "DATE_TRUNC('HOUR', '2026-11-30 10:20:30')"
    )
    day, with_offset, from_date, bad, hour = rows[0]
    assert (str(day), str(with_offset), str(from_date), bad) == (
        "2026-11-30",
        "2026-11-30",  # the date written in the string, as the plain cast reads it
        "2026-11-30",
        None,
    )
    assert hour is not None and hour.isoformat() == "2026-11-30T10:00:00+00:00"


def test_calls_without_a_fixed_length_are_left_to_the_calendar() -> None:
    sql = to_duckdb(
        "SELECT DATE_TRUNC('MONTH', t), DATE_TRUNC('WEEK', t), TO_DATE(s, 'dd/MM/yyyy')"
    )
    assert "CL_UTC" not in sql
    assert "DATE_TRUNC('MONTH', t)" in sql
