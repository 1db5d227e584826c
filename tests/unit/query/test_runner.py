"""The Athena runner's life cycle on a scripted fake backend, with a fake clock and sleep."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from coinlake.errors import QueryFailedError, QueryTimeoutError
from coinlake.query.runner import (
    Backoff,
    ColumnMeta,
    ExecutionStatus,
    ResultPage,
    convert_value,
    run_query,
)

COLUMNS = (
    ColumnMeta("product_id", "varchar"),
    ColumnMeta("vwap", "decimal", 18, 8),
    ColumnMeta("trades", "bigint"),
    ColumnMeta("hour", "timestamp"),
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class ScriptedAthena:
    """Answers the states in `states` one per status call, then the last one forever."""

    def __init__(self, states: list[ExecutionStatus], pages: list[ResultPage]) -> None:
        self.states = states
        self.result_pages = pages
        self.started: list[str] = []
        self.stopped: list[str] = []
        self.polls = 0

    def start(self, sql: str) -> str:
        self.started.append(sql)
        return "qe-1"

    def status(self, execution_id: str) -> ExecutionStatus:
        state = self.states[min(self.polls, len(self.states) - 1)]
        self.polls += 1
        return state

    def pages(self, execution_id: str) -> Iterator[ResultPage]:
        yield from self.result_pages

    def stop(self, execution_id: str) -> None:
        self.stopped.append(execution_id)


def _pages() -> list[ResultPage]:
    return [
        ResultPage(COLUMNS, (("BTC-USD", "60000.12345678", "42", "2026-01-01 13:00:00.000000"),)),
        ResultPage(COLUMNS, (("ETH-USD", None, "7", "2026-01-01 14:00:00.123456 UTC"),)),
    ]


def test_a_query_is_polled_with_growing_delays_until_it_succeeds() -> None:
    clock = FakeClock()
    backend = ScriptedAthena(
        [
            ExecutionStatus("QUEUED"),
            ExecutionStatus("RUNNING"),
            ExecutionStatus("RUNNING"),
            ExecutionStatus("SUCCEEDED", bytes_scanned=1234),
        ],
        _pages(),
    )
    result = run_query(
        backend,
        "SELECT 1",
        timeout_s=60,
        backoff=Backoff(0.5, 2.0, 1.5),
        clock=clock,
        sleep=clock.sleep,
    )
    assert clock.sleeps == [0.5, 1.0, 1.5]
    assert backend.started == ["SELECT 1"]
    assert result.query_execution_id == "qe-1"
    assert result.bytes_scanned == 1234
    assert result.elapsed_s == pytest.approx(3.0)
    assert result.rows == [
        ("BTC-USD", Decimal("60000.12345678"), 42, datetime(2026, 1, 1, 13, tzinfo=UTC)),
        ("ETH-USD", None, 7, datetime(2026, 1, 1, 14, 0, 0, 123456, tzinfo=UTC)),
    ]


def test_the_results_become_an_arrow_table_with_exact_types() -> None:
    clock = FakeClock()
    backend = ScriptedAthena([ExecutionStatus("SUCCEEDED")], _pages())
    table = run_query(backend, "q", timeout_s=5, clock=clock, sleep=clock.sleep).to_arrow()
    assert str(table.schema.field("vwap").type) == "decimal128(18, 8)"
    assert table.column("vwap").to_pylist() == [Decimal("60000.12345678"), None]
    assert table.column("trades").to_pylist() == [42, 7]


def test_a_failed_query_raises_with_athenas_reason_and_id() -> None:
    clock = FakeClock()
    backend = ScriptedAthena(
        [
            ExecutionStatus("RUNNING"),
            ExecutionStatus("FAILED", reason="line 1:8: Column 'x' cannot be resolved"),
        ],
        [],
    )
    with pytest.raises(QueryFailedError, match="cannot be resolved") as info:
        run_query(backend, "SELECT x", timeout_s=60, clock=clock, sleep=clock.sleep)
    assert info.value.query_execution_id == "qe-1"


def test_a_query_past_its_deadline_is_stopped() -> None:
    clock = FakeClock()
    backend = ScriptedAthena([ExecutionStatus("RUNNING")], [])
    with pytest.raises(QueryTimeoutError, match="after 10 s"):
        run_query(
            backend,
            "SELECT 1",
            timeout_s=10,
            backoff=Backoff(1.0, 2.0, 4.0),
            clock=clock,
            sleep=clock.sleep,
        )
    assert backend.stopped == ["qe-1"]
    assert clock.sleeps == [1.0, 2.0, 4.0, 3.0]
    assert sum(clock.sleeps) == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("raw", "column", "expected"),
    [
        ("12.50000000", ColumnMeta("p", "decimal", 18, 8), Decimal("12.50000000")),
        ("-3", ColumnMeta("n", "integer"), -3),
        ("true", ColumnMeta("b", "boolean"), True),
        ("2026-03-01", ColumnMeta("d", "date"), date(2026, 3, 1)),
        ("x", ColumnMeta("s", "varchar"), "x"),
        (None, ColumnMeta("p", "decimal", 18, 8), None),
    ],
    ids=["decimal", "integer", "boolean", "date", "varchar", "null"],
)
def test_values_are_converted_by_their_declared_type(raw, column, expected) -> None:
    assert convert_value(raw, column) == expected


def test_a_value_that_does_not_parse_names_the_column() -> None:
    with pytest.raises(QueryFailedError, match="vwap"):
        convert_value("abc", ColumnMeta("vwap", "decimal", 18, 8))
