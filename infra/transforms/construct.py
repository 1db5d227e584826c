"""The Glue 5.0 job running `coinlake.runtime.glue_job` (Silver and Gold on Spark) and its schedule.

The project ships as two assets: the entry script (`glue_entry.py`) and the project's wheel.
The wheel is uploaded under a `.zip` name and given to `--extra-py-files`: a pure-Python wheel is
a zip with the packages at its root, so Glue puts it on the Python path as is. (Given to
`--additional-python-modules`, pip would refuse it: CDK names assets by content hash, and
`<hash>.whl` is not a valid wheel file name, see aws/aws-cdk#20481.) The project's runtime
requirements are installed by `--additional-python-modules` from PyPI. Glue's own job bookmarks
are disabled: coinlake keeps its bookmarks in `_state/bookmarks/`.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Duration
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as assets
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from constructs import Construct

from coinlake.aws.cloudwatch import NAMESPACE as QUALITY_NAMESPACE
from coinlake.deployment import Deployment
from infra.artifacts import GlueLibrary
from infra.lake import (
    BRONZE,
    GOLD,
    QUARANTINE,
    READ,
    READ_WRITE,
    SILVER,
    STAGING,
    TRANSFORM_STATE,
    LakeBucket,
    PrefixAccess,
)
from infra.schedules import ScheduleSetup

GLUE_VERSION = "5.0"
"""Spark 3.5, Python 3.11, Java 17: what `pyspark>=3.5,<3.6` in the `spark` extra matches."""
ENTRY_SCRIPT = Path(__file__).with_name("glue_entry.py")
GLUE_ACCESS = PrefixAccess(
    objects=(
        (READ, (BRONZE,)),
        (READ_WRITE, (SILVER, GOLD, QUARANTINE, STAGING, *TRANSFORM_STATE)),
    ),
    listed=(BRONZE, SILVER, GOLD, QUARANTINE, STAGING, *TRANSFORM_STATE),
)
"""Reads Bronze; writes Silver, Gold, quarantine, staging and its own bookmarks."""


class Transforms(Construct):
    """The Glue job, its role and its schedule."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        lake: LakeBucket,
        library: GlueLibrary,
        schedules: ScheduleSetup,
    ) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self,
            "Role",
            role_name=f"{deployment.prefix}-glue",
            assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
            description="coinlake Glue job: reads Bronze, writes Silver/Gold/quarantine",
        )
        script = assets.Asset(self, "Script", path=str(ENTRY_SCRIPT))
        archive = assets.Asset(self, "Library", path=str(library.archive))
        policy = iam.Policy(self, "LakeAccess", policy_name="lake-access")
        policy.add_statements(*GLUE_ACCESS.statements(lake))
        policy.add_statements(*_runtime_statements())
        policy.attach_to_role(self.role)
        script.grant_read(self.role)
        archive.grant_read(self.role)
        self.job_name = f"{deployment.prefix}-transform"
        self.arguments = job_arguments(lake, archive.s3_object_url, library.requirements)
        self.job = glue.CfnJob(
            self,
            "Job",
            name=self.job_name,
            description="coinlake: Bronze -> Silver -> Gold on Spark (coinlake.runtime.glue_job)",
            role=self.role.role_arn,
            glue_version=GLUE_VERSION,
            command=glue.CfnJob.JobCommandProperty(
                name="glueetl", python_version="3", script_location=script.s3_object_url
            ),
            worker_type=deployment.glue_worker_type,
            number_of_workers=deployment.glue_workers,
            timeout=deployment.glue_timeout_minutes,
            max_retries=0,
            execution_property=glue.CfnJob.ExecutionPropertyProperty(max_concurrent_runs=1),
            default_arguments=self.arguments,
        )
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            schedule_name=f"{deployment.prefix}-transform",
            description="coinlake: run the Silver and Gold transforms",
            schedule_group=schedules.group,
            schedule=scheduler.ScheduleExpression.rate(
                Duration.minutes(deployment.transform_rate_minutes)
            ),
            enabled=deployment.schedules_enabled,
            target=targets.Universal(
                service="glue",
                role=schedules.role,
                action="startJobRun",
                input=scheduler.ScheduleTargetInput.from_object({"JobName": self.job_name}),
                # A start refused because a run is still going (max concurrency 1) is not
                # retried: the next tick starts the next run.
                retry_attempts=0,
                policy_statements=[
                    iam.PolicyStatement(
                        actions=["glue:StartJobRun"], resources=[_job_arn(self.job_name)]
                    )
                ],
            ),
        )


def job_arguments(
    lake: LakeBucket, archive_url: str, requirements: tuple[str, ...]
) -> dict[str, str]:
    """The job's default arguments, `--lake` and `--layer` as `coinlake.runtime.glue_args`
    parses them."""
    return {
        "--lake": lake.uri(),
        "--layer": "all",
        # data-quality checks after the transforms, their failure counts to CloudWatch
        "--quality": "true",
        "--metrics": "true",
        "--job-bookmark-option": "job-bookmark-disable",
        "--extra-py-files": archive_url,
        "--additional-python-modules": ",".join(requirements),
        "--enable-metrics": "true",
        "--enable-continuous-cloudwatch-log": "true",
        "--enable-observability-metrics": "true",
        "--TempDir": lake.uri(STAGING) + "glue-temp/",
    }


def _runtime_statements() -> list[iam.PolicyStatement]:
    """Logs and metrics Glue writes for the job (what AWSGlueServiceRole grants, scoped)."""
    log_groups = f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:/aws-glue/*"
    return [
        iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_groups, f"{log_groups}:log-stream:*"],
        ),
        iam.PolicyStatement(
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],  # PutMetricData has no resource type; scoped by namespace
            conditions={"StringEquals": {"cloudwatch:namespace": ["Glue", QUALITY_NAMESPACE]}},
        ),
    ]


def _job_arn(name: str) -> str:
    return f"arn:{Aws.PARTITION}:glue:{Aws.REGION}:{Aws.ACCOUNT_ID}:job/{name}"
