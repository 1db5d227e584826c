"""Quality results as CloudWatch metrics (the Glue job publishes them after its checks).

Namespace `coinlake/quality` (configurable), every metric with the caller's dimensions (the
Glue job adds `Job=<job name>`), unit Count, one data point per run:

- `ChecksRun` (no extra dimension): checks run;
- `FailedChecks` (`Severity` = error, warn or info): checks of that severity with a failed
  partition;
- `FailedPartitions` (`Check`, `Table`, `Severity`): failed partitions of that check (0 when it
  passed).

An alarm on `FailedChecks` with `Severity=error` > 0 pages on any error-severity failure;
`FailedPartitions` tells which check and table. Every check publishes (0 when passing), so an
alarm can also treat missing data as a job that did not run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, cast

import boto3

from coinlake.aws.clients import client_config
from coinlake.config import Settings
from coinlake.quality.model import SEVERITIES, CheckResult

NAMESPACE = "coinlake/quality"
"""Default metric namespace."""
BATCH = 500
"""Metric data points per PutMetricData call (the API takes up to 1,000)."""


class MetricsClient(Protocol):
    """The CloudWatch call this module makes."""

    def put_metric_data(self, *, Namespace: str, MetricData: Sequence[Any]) -> Mapping[str, object]:
        """CloudWatch PutMetricData."""
        ...


def cloudwatch_client(settings: Settings, *, endpoint_url: str | None = None) -> MetricsClient:
    """A CloudWatch client in `aws_region` (endpoint: AWS, or `AWS_ENDPOINT_URL_CLOUDWATCH`)."""
    client = boto3.session.Session().client(
        "cloudwatch",
        region_name=settings.aws_region,
        endpoint_url=endpoint_url,
        config=client_config(max_pool_connections=2),
    )
    return cast("MetricsClient", client)


def _datum(name: str, value: float, dims: Mapping[str, str], at: datetime) -> dict[str, object]:
    return {
        "MetricName": name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Timestamp": at,
        "Value": value,
        "Unit": "Count",
    }


def build_metric_data(
    results: Sequence[CheckResult], dimensions: Mapping[str, str], at: datetime
) -> list[dict[str, object]]:
    """The data points of one quality run (pure: no AWS call)."""
    failed: dict[tuple[str, str, str], int] = {}
    for result in results:
        key = (result.check, result.table, result.severity)
        failed[key] = failed.get(key, 0) + (0 if result.passed else 1)
    data = [_datum("ChecksRun", len(failed), dimensions, at)]
    for severity in SEVERITIES:
        count = sum(1 for (_, _, s), n in failed.items() if s == severity and n)
        data.append(_datum("FailedChecks", count, {**dimensions, "Severity": severity}, at))
    for (check, table, level), count in sorted(failed.items()):
        dims = {**dimensions, "Check": check, "Table": table, "Severity": level}
        data.append(_datum("FailedPartitions", count, dims, at))
    return data


def publish_quality_metrics(
    client: MetricsClient,
    results: Sequence[CheckResult],
    *,
    dimensions: Mapping[str, str],
    at: datetime,
    namespace: str = NAMESPACE,
) -> int:
    """Put the run's metrics; return how many data points were sent."""
    data = build_metric_data(results, dimensions, at)
    for start in range(0, len(data), BATCH):
        client.put_metric_data(Namespace=namespace, MetricData=data[start : start + BATCH])
    return len(data)
