"""The ingest Lambdas (one per source), their role, DLQ, logs and EventBridge Scheduler schedules.

One function per source, each with reserved concurrency 1: two runs of the same source never
overlap (a second invocation is throttled and retried), while CoinGecko and Coinbase runs stay
independent. The schedules invoke asynchronously; after Lambda's own retries a failed event goes
to the SQS dead-letter queue (the `on_failure` destination), and an event the scheduler could not
deliver goes there too. The CoinGecko key is never in the template: at most the *name* of the
SSM parameter or secret holding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Aws, Duration, RemovalPolicy, TimeZone
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from coinlake.deployment import Deployment
from coinlake.errors import ConfigError
from infra.lake import BRONZE, CREATE, INGEST_STATE, READ_WRITE, LakeBucket, PrefixAccess
from infra.schedules import ScheduleSetup

HANDLER = "coinlake.runtime.lambda_ingest.handler"
RUNTIME = lambda_.Runtime.PYTHON_3_11
"""The package is built by `coinlake.devtools.lambda_package` for Python 3.11 (binary wheels)."""
SOURCES = ("coinbase", "coingecko")
INGEST_ACCESS = PrefixAccess(
    objects=((CREATE, (BRONZE,)), (READ_WRITE, INGEST_STATE)),
    listed=INGEST_STATE,
)
"""Bronze is create-only (no read, no delete); ingestion state is read and written."""


@dataclass(frozen=True, slots=True)
class IngestFunction:
    """One source's function and its log group."""

    source: str
    function: lambda_.Function
    log_group: logs.LogGroup


class Ingestion(Construct):
    """Role, DLQ, the two functions and their schedules."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        lake: LakeBucket,
        lambda_zip: Path,
        schedules: ScheduleSetup,
    ) -> None:
        super().__init__(scope, construct_id)
        self.deployment = deployment
        self.dlq = sqs.Queue(
            self,
            "DeadLetters",
            queue_name=f"{deployment.prefix}-ingest-dlq",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.role = iam.Role(
            self,
            "Role",
            role_name=f"{deployment.prefix}-ingest",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="coinlake ingest Lambda: creates Bronze objects, keeps ingestion state",
        )
        policy = iam.Policy(self, "LakeAccess", policy_name="lake-access")
        policy.add_statements(*INGEST_ACCESS.statements(lake))
        policy.add_statements(*self._key_statements())
        policy.attach_to_role(self.role)
        code = lambda_.Code.from_asset(str(lambda_zip))
        self.functions = [self._function(source, code, lake, schedules) for source in SOURCES]

    def _key_statements(self) -> list[iam.PolicyStatement]:
        where = self.deployment.coingecko_key_parameter
        if not where:
            return []
        if where.startswith(("arn:aws:secretsmanager:", "secretsmanager:")):
            name = where.removeprefix("secretsmanager:")
            arn = name if name.startswith("arn:") else _secret_arn(name)
            return [iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[arn])]
        name = where.removeprefix("ssm:")
        arn = name if name.startswith("arn:") else _parameter_arn(name)
        return [iam.PolicyStatement(actions=["ssm:GetParameter"], resources=[arn])]

    def environment(self, source: str, lake: LakeBucket) -> dict[str, str]:
        """The function's environment: `COINLAKE_*` settings and the source it ingests."""
        deployment = self.deployment
        env = {
            "COINLAKE_LAKE": lake.uri(),
            "COINLAKE_AWS_REGION": Aws.REGION,
            "COINLAKE_PRODUCTS": deployment.products,
            "COINLAKE_COINS": deployment.coins,
            "COINLAKE_VS_CURRENCIES": deployment.vs_currencies,
            "COINLAKE_LOG_FORMAT": "json",
            "COINLAKE_INGEST_SOURCE": source,
            "COINLAKE_INGEST_MAX_PAGES": str(deployment.lambda_max_pages),
        }
        if deployment.coingecko_key_parameter:
            env["COINLAKE_COINGECKO_API_KEY_PARAMETER"] = deployment.coingecko_key_parameter
        return env

    def _function(
        self,
        source: str,
        code: lambda_.Code,
        lake: LakeBucket,
        schedules: ScheduleSetup,
    ) -> IngestFunction:
        deployment = self.deployment
        name = f"{deployment.prefix}-ingest-{source}"
        title = source.capitalize()
        log_group = logs.LogGroup(
            self,
            f"{title}Logs",
            log_group_name=f"/aws/lambda/{name}",
            retention=_retention(deployment.log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        function = lambda_.Function(
            self,
            title,
            function_name=name,
            description=f"coinlake: lands {source} responses in Bronze",
            runtime=RUNTIME,
            handler=HANDLER,
            code=code,
            role=self.role,
            memory_size=deployment.lambda_memory_mb,
            timeout=Duration.seconds(deployment.lambda_timeout_s),
            reserved_concurrent_executions=1,
            environment=self.environment(source, lake),
            log_group=log_group,
            on_failure=destinations.SqsDestination(self.dlq),
            retry_attempts=2,
            max_event_age=Duration.hours(1),
        )
        scheduler.Schedule(
            self,
            f"{title}Schedule",
            schedule_name=f"{deployment.prefix}-ingest-{source}",
            description=f"coinlake: ingest {source}",
            schedule_group=schedules.group,
            schedule=self._expression(source),
            enabled=deployment.schedules_enabled,
            target=targets.LambdaInvoke(
                function,
                input=scheduler.ScheduleTargetInput.from_object({"source": source}),
                role=schedules.role,
                dead_letter_queue=self.dlq,
                retry_attempts=2,
            ),
        )
        return IngestFunction(source, function, log_group)

    def _expression(self, source: str) -> scheduler.ScheduleExpression:
        deployment = self.deployment
        if source == "coingecko":
            zone = scheduler_time_zone(deployment.schedule_timezone)
            return scheduler.ScheduleExpression.expression(deployment.coingecko_cron, zone)
        return scheduler.ScheduleExpression.rate(Duration.minutes(deployment.trades_rate_minutes))


def scheduler_time_zone(name: str) -> TimeZone:
    """The CDK time zone of an IANA name (`America/Los_Angeles`)."""
    return TimeZone.of(name)


_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                   2192, 2557, 2922, 3288, 3653)  # fmt: skip
"""What CloudWatch Logs accepts, in the order of CDK's `RetentionDays` members."""


def _retention(days: int) -> logs.RetentionDays:
    members = [r for r in logs.RetentionDays if r is not logs.RetentionDays.INFINITE]
    by_days = dict(zip(_RETENTION_DAYS, members, strict=True))
    if days not in by_days:
        raise ConfigError(
            f"log_retention_days={days}: CloudWatch Logs accepts one of "
            + ", ".join(map(str, _RETENTION_DAYS))
        )
    return by_days[days]


def _secret_arn(name: str) -> str:
    # Secrets Manager appends six random characters to a secret's ARN.
    return f"arn:{Aws.PARTITION}:secretsmanager:{Aws.REGION}:{Aws.ACCOUNT_ID}:secret:{name}-??????"


def _parameter_arn(name: str) -> str:
    path = name.lstrip("/")
    return f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter/{path}"
