"""Athena through boto3: the `AthenaBackend` the pure runner in `coinlake.query.runner` drives.

botocore errors become `QueryFailedError` here, with the execution id when there is one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from coinlake.config import Settings
from coinlake.errors import ConfigError, QueryFailedError
from coinlake.query.runner import (
    AthenaResult,
    Backoff,
    ColumnMeta,
    ExecutionStatus,
    ResultPage,
    run_query,
)

PAGE_SIZE = 1000


class Boto3AthenaBackend:
    """Start, poll, page and stop Athena queries with a boto3 client."""

    def __init__(
        self,
        client: Any,
        *,
        workgroup: str,
        database: str,
        output_location: str | None = None,
    ) -> None:
        self._client = client
        self._workgroup = workgroup
        self._database = database
        self._output_location = output_location

    def start(self, sql: str) -> str:
        """Start `sql` in the workgroup and database; return the execution id."""
        request: dict[str, Any] = {
            "QueryString": sql,
            "WorkGroup": self._workgroup,
            "QueryExecutionContext": {"Database": self._database},
        }
        if self._output_location:
            request["ResultConfiguration"] = {"OutputLocation": self._output_location}
        response = self._call("start_query_execution", "", **request)
        return str(response["QueryExecutionId"])

    def status(self, execution_id: str) -> ExecutionStatus:
        """State, failure reason and statistics of one execution."""
        execution = self._call("get_query_execution", execution_id, QueryExecutionId=execution_id)[
            "QueryExecution"
        ]
        status = execution.get("Status", {})
        stats = execution.get("Statistics", {})
        return ExecutionStatus(
            state=str(status.get("State", "")),
            reason=str(status.get("StateChangeReason", "")),
            bytes_scanned=int(stats.get("DataScannedInBytes", 0) or 0),
            engine_ms=int(stats.get("EngineExecutionTimeInMillis", 0) or 0),
        )

    def pages(self, execution_id: str) -> Iterator[ResultPage]:
        """Every result page; the header row of a SELECT's first page is dropped."""
        token: str | None = None
        first = True
        while True:
            request: dict[str, Any] = {"QueryExecutionId": execution_id, "MaxResults": PAGE_SIZE}
            if token:
                request["NextToken"] = token
            response = self._call("get_query_results", execution_id, **request)
            result_set = response.get("ResultSet", {})
            columns = tuple(
                _column(info)
                for info in result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            )
            rows = [
                tuple(cell.get("VarCharValue") for cell in row.get("Data", []))
                for row in result_set.get("Rows", [])
            ]
            if first and rows and list(rows[0]) == [col.name for col in columns]:
                rows = rows[1:]
            first = False
            yield ResultPage(columns, tuple(rows))
            token = response.get("NextToken")
            if not token:
                return

    def stop(self, execution_id: str) -> None:
        """Cancel an execution (used when the deadline passes)."""
        self._call("stop_query_execution", execution_id, QueryExecutionId=execution_id)

    def _call(self, operation: str, execution_id: str, **kwargs: Any) -> Mapping[str, Any]:
        try:
            response: Mapping[str, Any] = getattr(self._client, operation)(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            message = error.get("Message") or str(exc)
            raise QueryFailedError(
                f"Athena {operation} failed: {error.get('Code', 'error')}: {message}",
                query_execution_id=execution_id,
            ) from exc
        except BotoCoreError as exc:
            raise QueryFailedError(
                f"Athena {operation} failed: {exc}", query_execution_id=execution_id
            ) from exc
        return response


def _column(info: Mapping[str, Any]) -> ColumnMeta:
    return ColumnMeta(
        name=str(info.get("Label") or info.get("Name", "")),
        type=str(info.get("Type", "varchar")),
        precision=int(info.get("Precision", 0) or 0),
        scale=int(info.get("Scale", 0) or 0),
    )


def athena_backend(settings: Settings) -> Boto3AthenaBackend:
    """A backend from the settings (`athena_workgroup` must be set).

    Raises:
        ConfigError: Athena is not configured.
    """
    if not settings.athena_workgroup:
        raise ConfigError(
            "Athena is not configured: set athena_workgroup (COINLAKE_ATHENA_WORKGROUP) and "
            "athena_output_location if the workgroup has none"
        )
    client = boto3.client(
        "athena", region_name=settings.aws_region, endpoint_url=settings.athena_endpoint_url
    )
    return Boto3AthenaBackend(
        client,
        workgroup=settings.athena_workgroup,
        database=settings.athena_database,
        output_location=settings.athena_output_location,
    )


def run_athena_query(
    settings: Settings, sql: str, *, backoff: Backoff | None = None
) -> AthenaResult:
    """Run one statement on Athena within `athena_timeout_s`, with exact result values.

    Raises:
        ConfigError: Athena is not configured.
        QueryFailedError: Athena rejected or failed the query.
        QueryTimeoutError: the deadline passed (the query was stopped).
    """
    return run_query(
        athena_backend(settings), sql, timeout_s=settings.athena_timeout_s, backoff=backoff
    )
