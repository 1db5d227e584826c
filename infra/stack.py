"""The coinlake Stack: storage, ingestion, transforms, catalog, observability and deploy units.

`build_stack()` is what `app.py` and the tests call; every tunable comes from a
`coinlake.deployment.Deployment` (defaults, overridden by CDK context values).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import App, CfnOutput, Environment, IStackSynthesizer, Stack, Tags
from constructs import Construct

from coinlake.deployment import Deployment
from infra.artifacts import GlueLibrary
from infra.catalog.analyst import AnalystRole
from infra.catalog.construct import Catalog
from infra.deploy.construct import DeployRole
from infra.ingestion.construct import Ingestion
from infra.observability.construct import Observability
from infra.schedules import schedule_setup
from infra.storage.construct import Storage
from infra.transforms.construct import Transforms


@dataclass(frozen=True, slots=True)
class Artifacts:
    """The built packages the stack uploads as assets."""

    lambda_zip: Path
    glue_library: GlueLibrary


class CoinlakeStack(Stack):
    """The whole platform of one stage."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        artifacts: Artifacts,
        env: Environment | None = None,
        synthesizer: IStackSynthesizer | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=env,
            synthesizer=synthesizer,
            description=f"coinlake crypto market-data lakehouse ({deployment.stage})",
        )
        self.deployment = deployment
        self.storage = Storage(self, "Storage", deployment=deployment)
        lake = self.storage.lake
        self.schedules = schedule_setup(self, deployment)
        self.ingestion = Ingestion(
            self,
            "Ingestion",
            deployment=deployment,
            lake=lake,
            lambda_zip=artifacts.lambda_zip,
            schedules=self.schedules,
        )
        self.transforms = Transforms(
            self,
            "Transforms",
            deployment=deployment,
            lake=lake,
            library=artifacts.glue_library,
            schedules=self.schedules,
        )
        self.catalog = Catalog(self, "Catalog", deployment=deployment, lake=lake)
        self.analyst = AnalystRole(
            self, "Analyst", deployment=deployment, lake=lake, catalog=self.catalog
        )
        self.observability = Observability(
            self,
            "Observability",
            deployment=deployment,
            ingestion=self.ingestion,
            transforms=self.transforms,
        )
        self.deploy = DeployRole(self, "Deploy", deployment=deployment)
        Tags.of(self).add("project", "coinlake")
        Tags.of(self).add("stage", deployment.stage)
        self._outputs()

    def _outputs(self) -> None:
        outputs = {
            "LakeBucket": self.storage.bucket.bucket_name,
            "Lake": self.storage.lake.uri(),
            "ScheduleGroup": self.deployment.schedule_group,
            "TransformJob": self.transforms.job_name,
            "AthenaWorkGroup": self.catalog.workgroup_name,
            "GlueDatabase": self.catalog.database_name,
            "AnalystRoleArn": self.analyst.role.role_arn,
            "DeployRoleArn": self.deploy.role.role_arn,
            "AlarmTopicArn": self.observability.topic.topic_arn,
            "DeadLetterQueueUrl": self.ingestion.dlq.queue_url,
        }
        for ingest in self.ingestion.functions:
            outputs[f"{ingest.source.capitalize()}Function"] = ingest.function.function_name
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)


def stack_name(deployment: Deployment) -> str:
    """`coinlake-<stage>`."""
    return deployment.prefix


def build_stack(
    app: App,
    deployment: Deployment,
    artifacts: Artifacts,
    *,
    env: Environment | None = None,
    synthesizer: IStackSynthesizer | None = None,
) -> CoinlakeStack:
    """The stack of `deployment` inside `app`."""
    return CoinlakeStack(
        app,
        stack_name(deployment),
        deployment=deployment,
        artifacts=artifacts,
        env=env,
        synthesizer=synthesizer,
    )
