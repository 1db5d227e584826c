"""Athena query life cycle without boto3: start, poll with a deadline and backoff, fetch, convert.

`run_query` drives any `AthenaBackend` (the boto3 one lives in `coinlake.aws.athena`; tests use
a fake). Athena answers every value as a string plus column metadata; `convert_value` turns them
back into exact Python values (Decimal, int, UTC datetime, date). Time and sleep are injected.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Protocol

from coinlake.errors import QueryFailedError, QueryTimeoutError

if TYPE_CHECKING:
    import pyarrow as pa

RUNNING_STATES = frozenset({"QUEUED", "RUNNING"})


@dataclass(frozen=True, slots=True)
class ColumnMeta:
    """One result column as Athena describes it."""

    name: str
    type: str
    precision: int = 0
    scale: int = 0


@dataclass(frozen=True, slots=True)
class ExecutionStatus:
    """What `GetQueryExecution` says about a query."""

    state: str
    reason: str = ""
    bytes_scanned: int = 0
    engine_ms: int = 0


@dataclass(frozen=True, slots=True)
class ResultPage:
    """One `GetQueryResults` page: columns and rows of raw strings (None = SQL NULL)."""

    columns: tuple[ColumnMeta, ...]
    rows: tuple[tuple[str | None, ...], ...]


class AthenaBackend(Protocol):
    """The four Athena calls the runner needs."""

    def start(self, sql: str) -> str:
        """Start the query; return its execution id."""
        ...

    def status(self, execution_id: str) -> ExecutionStatus:
        """Its current state and statistics."""
        ...

    def pages(self, execution_id: str) -> Iterator[ResultPage]:
        """Its result pages, the header row already removed."""
        ...

    def stop(self, execution_id: str) -> None:
        """Cancel it."""
        ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """Poll delays: `first`, times `factor` each poll, at most `cap` seconds."""

    first: float = 0.2
    factor: float = 2.0
    cap: float = 5.0

    def delays(self) -> Iterator[float]:
        """The endless sequence of delays."""
        delay = self.first
        while True:
            yield delay
            delay = min(self.cap, delay * self.factor)


@dataclass(slots=True)
class AthenaResult:
    """A finished query: its rows (exact Python values) and what it cost."""

    query_execution_id: str
    columns: tuple[ColumnMeta, ...]
    rows: list[tuple[object, ...]] = field(default_factory=list)
    bytes_scanned: int = 0
    elapsed_s: float = 0.0

    def to_arrow(self) -> pa.Table:
        """The rows as an Arrow table typed from Athena's column metadata."""
        import pyarrow as pa

        arrays = {
            col.name: pa.array([row[i] for row in self.rows], type=_arrow_type(col))
            for i, col in enumerate(self.columns)
        }
        return pa.table(arrays)


def _arrow_type(col: ColumnMeta) -> pa.DataType:
    import pyarrow as pa

    kind = col.type.lower()
    simple = {
        "bigint": pa.int64(),
        "integer": pa.int32(),
        "int": pa.int32(),
        "smallint": pa.int16(),
        "tinyint": pa.int8(),
        "double": pa.float64(),
        "float": pa.float32(),
        "real": pa.float32(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "timestamp with time zone": pa.timestamp("us", tz="UTC"),
    }
    if kind == "decimal":
        return pa.decimal128(max(col.precision, 1), col.scale)
    return simple.get(kind, pa.string())


def convert_value(raw: str | None, col: ColumnMeta) -> object:
    """One Athena result string as the Python value of its column type.

    Raises:
        QueryFailedError: the string does not parse as its declared type.
    """
    if raw is None:
        return None
    kind = col.type.lower()
    try:
        if kind in ("bigint", "integer", "int", "smallint", "tinyint"):
            return int(raw)
        if kind == "decimal":
            return Decimal(raw)
        if kind in ("double", "float", "real"):
            return float(raw)
        if kind == "boolean":
            return raw.lower() == "true"
        if kind == "date":
            return date.fromisoformat(raw)
        if kind.startswith("timestamp"):
            return _parse_timestamp(raw)
    except (ValueError, InvalidOperation) as exc:
        raise QueryFailedError(f"Athena returned {raw!r} for {col.name} ({col.type})") from exc
    return raw


def _parse_timestamp(raw: str) -> datetime:
    # Athena prints `2026-01-01 00:00:00.123456` (UTC by convention) or with ` UTC` appended.
    text = raw.removesuffix(" UTC").replace(" ", "T", 1)
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def wait_for(
    backend: AthenaBackend,
    execution_id: str,
    *,
    timeout_s: float,
    backoff: Backoff | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ExecutionStatus:
    """Poll until the query leaves QUEUED/RUNNING or the deadline passes (then stop it).

    Raises:
        QueryFailedError: the query FAILED or was CANCELLED; Athena's reason is in the message.
        QueryTimeoutError: still running at the deadline (the query is stopped).
    """
    deadline = clock() + timeout_s
    for delay in (backoff or Backoff()).delays():
        status = backend.status(execution_id)
        if status.state == "SUCCEEDED":
            return status
        if status.state not in RUNNING_STATES:
            reason = status.reason or "no reason given"
            raise QueryFailedError(
                f"Athena query {execution_id} {status.state.lower()}: {reason}",
                query_execution_id=execution_id,
            )
        remaining = deadline - clock()
        if remaining <= 0:
            backend.stop(execution_id)
            raise QueryTimeoutError(
                f"Athena query {execution_id} still {status.state.lower()} after {timeout_s:g} s; "
                "it was stopped (raise athena_timeout_s for longer queries)"
            )
        sleep(min(delay, remaining))
    raise AssertionError("unreachable")  # pragma: no cover


def run_query(
    backend: AthenaBackend,
    sql: str,
    *,
    timeout_s: float,
    backoff: Backoff | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> AthenaResult:
    """Start `sql`, wait for it within `timeout_s`, fetch and convert every result page.

    Raises:
        QueryFailedError: Athena rejected or failed the query.
        QueryTimeoutError: the deadline passed before the results were in.
    """
    started = clock()
    execution_id = backend.start(sql)
    status = wait_for(
        backend, execution_id, timeout_s=timeout_s, backoff=backoff, clock=clock, sleep=sleep
    )
    columns: tuple[ColumnMeta, ...] = ()
    rows: list[tuple[object, ...]] = []
    for page in backend.pages(execution_id):
        columns = columns or page.columns
        rows.extend(_convert_row(row, columns) for row in page.rows)
        if clock() - started > timeout_s:
            raise QueryTimeoutError(
                f"Athena query {execution_id}: results not fetched within {timeout_s:g} s"
            )
    return AthenaResult(
        query_execution_id=execution_id,
        columns=columns,
        rows=rows,
        bytes_scanned=status.bytes_scanned,
        elapsed_s=clock() - started,
    )


def _convert_row(row: Sequence[str | None], columns: Sequence[ColumnMeta]) -> tuple[object, ...]:
    return tuple(convert_value(raw, col) for raw, col in zip(row, columns, strict=False))
