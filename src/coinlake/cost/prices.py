"""AWS unit prices the cost estimate uses: us-east-1, on-demand, before free tiers.

Each price names the public pricing page it comes from and when it was read. AWS changes prices
rarely but does change them: check the page before relying on a figure, and update `AS_OF` with
the value. Free tiers (Lambda's 1M requests and 400,000 GB-s a month, Scheduler's 14M
invocations, CloudWatch's 10 alarms and 5 GB of logs, S3's first-year allowance) are left out so
the figure is what a busy account pays.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

REGION = "us-east-1"
"""The region these prices are for (US East, N. Virginia)."""
AS_OF = "2026-05"
"""When the figures were last checked: against stored copies of the AWS pricing pages below and
pricing summaries dated March-May 2026 (this machine has no internet: re-check on the pages)."""

LAMBDA_PAGE = "https://aws.amazon.com/lambda/pricing/"
S3_PAGE = "https://aws.amazon.com/s3/pricing/"
GLUE_PAGE = "https://aws.amazon.com/glue/pricing/"
ATHENA_PAGE = "https://aws.amazon.com/athena/pricing/"
SCHEDULER_PAGE = "https://aws.amazon.com/eventbridge/pricing/"
CLOUDWATCH_PAGE = "https://aws.amazon.com/cloudwatch/pricing/"


@dataclass(frozen=True, slots=True)
class UnitPrice:
    """One price: USD per `unit`, and where it comes from."""

    usd: Decimal
    """US dollars per one `unit`."""
    unit: str
    """What one unit is (`request`, `GB-month`, `DPU-hour`, ...)."""
    source: str
    """The pricing page (and the line on it)."""


LAMBDA_REQUEST = UnitPrice(Decimal("0.0000002"), "request", f"{LAMBDA_PAGE} ($0.20 per 1M)")
LAMBDA_GB_SECOND = UnitPrice(
    Decimal("0.0000166667"), "GB-second", f"{LAMBDA_PAGE} (x86, first 6B GB-s)"
)
S3_STANDARD = UnitPrice(Decimal("0.023"), "GB-month", f"{S3_PAGE} (Standard, first 50 TB)")
S3_STANDARD_IA = UnitPrice(
    Decimal("0.0125"), "GB-month", f"{S3_PAGE} (Standard-IA; 128 KB minimum billable size)"
)
S3_GLACIER_IR = UnitPrice(
    Decimal("0.004"), "GB-month", f"{S3_PAGE} (Glacier Instant Retrieval; 128 KB minimum)"
)
S3_PUT = UnitPrice(Decimal("0.000005"), "request", f"{S3_PAGE} (PUT, COPY, POST, LIST: $0.005/1k)")
S3_GET = UnitPrice(Decimal("0.0000004"), "request", f"{S3_PAGE} (GET, SELECT: $0.0004/1k)")
S3_TRANSITION_IA = UnitPrice(
    Decimal("0.00001"), "request", f"{S3_PAGE} (lifecycle transition to Standard-IA: $0.01/1k)"
)
S3_TRANSITION_GLACIER_IR = UnitPrice(
    Decimal("0.00002"), "request", f"{S3_PAGE} (lifecycle transition to Glacier IR: $0.02/1k)"
)
GLUE_DPU_HOUR = UnitPrice(
    Decimal("0.44"), "DPU-hour", f"{GLUE_PAGE} (Spark job, per second, 1-minute minimum)"
)
ATHENA_TB = UnitPrice(
    Decimal("5.00"), "TB scanned", f"{ATHENA_PAGE} (SQL queries; 10 MB minimum per query)"
)
SCHEDULER_INVOCATION = UnitPrice(
    Decimal("0.000001"), "invocation", f"{SCHEDULER_PAGE} (Scheduler: $1.00 per 1M)"
)
LOGS_INGESTED = UnitPrice(Decimal("0.50"), "GB", f"{CLOUDWATCH_PAGE} (Logs, standard ingestion)")
LOGS_STORED = UnitPrice(Decimal("0.03"), "GB-month", f"{CLOUDWATCH_PAGE} (Logs, archived)")
ALARM = UnitPrice(Decimal("0.10"), "alarm", f"{CLOUDWATCH_PAGE} (standard resolution, per month)")

GLUE_MIN_BILLED_MINUTES = Decimal(1)
"""Glue 2.0+ bills Spark jobs per second with a 1-minute minimum (the Glue pricing page)."""
DPU_PER_WORKER = {"G.1X": Decimal(1), "G.2X": Decimal(2)}
"""DPUs per Glue worker type (G.1X: 4 vCPU, 16 GB = 1 DPU; G.2X = 2 DPU)."""
ATHENA_MIN_BYTES_PER_QUERY = 10 * 1024 * 1024
"""Athena bills at least 10 MB per query (rounded up to the megabyte)."""
S3_IA_MIN_OBJECT_BYTES = 128 * 1024
"""Standard-IA and Glacier IR bill an object of less than 128 KB as 128 KB."""
S3_TRANSITION_MIN_OBJECT_BYTES = 128 * 1024
"""Since September 2024 a lifecycle rule does not transition objects under 128 KB unless it
says otherwise (`TransitionDefaultMinimumObjectSize` = `all_storage_classes_128K`, the default;
S3 User Guide, "Transitioning objects")."""
