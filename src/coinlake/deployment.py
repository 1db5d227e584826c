"""What a coinlake deployment on AWS is made of, with the defaults `make deploy` uses.

One frozen `Deployment` is the single source of these values: the CDK app in `infra/` reads it
(each field can be overridden by a CDK context value of the same name, `cdk deploy -c
trades_rate_minutes=10`), and `coinlake aws cost` prices it. Pure values: no boto3, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Literal

from coinlake.errors import ConfigError

GlueWorkerType = Literal["G.1X", "G.2X"]


@dataclass(frozen=True, slots=True)
class Deployment:
    """The knobs of a deployed coinlake platform; every field is also a CDK context key."""

    stage: str = "dev"
    """Environment name; part of every resource name (`coinlake-<stage>-...`)."""
    products: str = "BTC-USD,ETH-USD,SOL-USD"
    """Coinbase products the trades schedule ingests (comma list)."""
    coins: str = "bitcoin,ethereum,solana"
    """CoinGecko coins the daily snapshot ingests (comma list)."""
    vs_currencies: str = "usd,eur"
    """CoinGecko quote currencies (comma list)."""
    schedules_enabled: bool = True
    """The cost kill switch: False deploys every schedule disabled."""
    coingecko_cron: str = "cron(0 9 * * ? *)"
    """CoinGecko snapshot schedule, evaluated in `schedule_timezone` (9:00 AM every day)."""
    schedule_timezone: str = "America/Los_Angeles"
    """IANA time zone of the EventBridge Scheduler schedules (stays 9:00 across DST)."""
    trades_rate_minutes: int = 5
    """Coinbase trades ingestion runs every this many minutes."""
    transform_rate_minutes: int = 60
    """The Glue transform job runs every this many minutes."""
    lambda_memory_mb: int = 512
    """Memory of the ingest Lambda."""
    lambda_timeout_s: int = 300
    """Timeout of the ingest Lambda, in seconds."""
    lambda_max_pages: int = 3000
    """Trades pages per product and invocation (the walk resumes on the next run)."""
    log_retention_days: int = 30
    """CloudWatch Logs retention of the Lambda and the Glue job."""
    glue_worker_type: GlueWorkerType = "G.1X"
    """Glue worker type (G.1X = 1 DPU: 4 vCPU, 16 GB)."""
    glue_workers: int = 2
    """Glue workers per run (Glue's minimum is 2)."""
    glue_timeout_minutes: int = 30
    """Glue job timeout."""
    glue_expected_minutes: float = 2.0
    """Billed minutes of one incremental transform run (Glue bills at least 1 minute)."""
    bronze_ia_days: int = 30
    """Bronze moves to S3 Standard-IA after this many days."""
    bronze_glacier_days: int = 180
    """Bronze moves to Glacier Instant Retrieval after this many days."""
    athena_results_days: int = 7
    """Athena query results and `_staging/` objects expire after this many days."""
    athena_bytes_scanned_cutoff: int = 1_000_000_000
    """Per-query bytes-scanned limit of the Athena workgroup (Athena's minimum is 10 MB)."""
    budget_usd: float = 40.0
    """Monthly AWS Budget; an alert fires at 80% of it (actual) and 100% (forecast)."""
    alarm_email: str = ""
    """Optional e-mail subscribed to the alarm topic."""
    freshness_minutes: int = 120
    """Data-freshness alarm: fire when no Bronze object has landed for this long."""
    github_repo: str = "example-org/coinlake"
    """`owner/name` of the repository whose GitHub Actions may deploy (OIDC trust)."""
    github_branch: str = "main"
    """Branch whose workflows may assume the deploy role."""
    github_oidc_provider_arn: str = ""
    """ARN of the account's existing GitHub OIDC provider; empty: the stack creates one (an
    account holds at most one provider per URL)."""
    coingecko_key_parameter: str = ""
    """SSM parameter name or Secrets Manager secret ARN of the CoinGecko key; empty: keyless."""

    def with_context(self, context: Mapping[str, object]) -> Deployment:
        """Override fields from CDK context values (strings from `-c key=value`, or JSON values).

        Raises:
            ConfigError: an unknown key or a value of the wrong type.
        """
        known = {field.name: field for field in fields(self)}
        changes: dict[str, object] = {}
        for key, raw in context.items():
            if key not in known:
                continue
            current = getattr(self, key)
            changes[key] = _coerce(key, raw, current)
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def prefix(self) -> str:
        """Prefix of every resource name."""
        return f"coinlake-{self.stage}"

    @property
    def schedule_group(self) -> str:
        """The EventBridge Scheduler group holding every schedule of this deployment."""
        return f"{self.prefix}-schedules"

    @property
    def product_list(self) -> tuple[str, ...]:
        """Products as a tuple."""
        return tuple(part.strip() for part in self.products.split(",") if part.strip())


def _coerce(key: str, raw: object, current: object) -> object:
    text = str(raw).strip()
    try:
        if isinstance(current, bool):
            if text.lower() in {"true", "1", "yes", "on"}:
                return True
            if text.lower() in {"false", "0", "no", "off"}:
                return False
            raise ValueError(text)
        if isinstance(current, int):
            return int(text)
        if isinstance(current, float):
            return float(text)
    except ValueError as exc:
        kind = type(current).__name__
        raise ConfigError(f"context value {key}={text!r} is not a {kind}") from exc
    return text


DEFAULT_DEPLOYMENT = Deployment()
"""What `make deploy` deploys when no context value is given."""


def lake_uri(bucket: str) -> str:
    """The lake's location in the deployment's bucket: its root (`bronze/`, `silver/`, ... are
    top-level prefixes, the ones the IAM policies name)."""
    return f"s3://{bucket}"


def glue_job_arguments(
    deployment: Deployment, bucket: str, *, wheel_uri: str | None = None
) -> dict[str, str]:
    """The Glue job's `DefaultArguments`, as `coinlake.runtime.glue_args` parses them.

    Glue adds `--JOB_NAME` (and its own `--JOB_ID`, `--JOB_RUN_ID`, ...) when it starts a run.
    `--job-bookmark-option job-bookmark-disable`: coinlake keeps its own bookmarks in `_state/`.
    `wheel_uri` is the `s3://` location of the project's wheel (the CDK asset), installed with
    `--additional-python-modules`.
    """
    del deployment  # every stage runs the same job; the bucket names the lake
    arguments = {
        "--lake": lake_uri(bucket),
        "--layer": "all",
        "--full-refresh": "false",
        "--job-bookmark-option": "job-bookmark-disable",
    }
    if wheel_uri is not None:
        arguments["--additional-python-modules"] = wheel_uri
    return arguments
