"""The analyst role: reads Silver and Gold through the Athena workgroup, nothing else.

Anyone in the account allowed to `sts:AssumeRole` it may take it (the trust is the account; who
may assume it is decided by the caller's own IAM policy). Athena runs queries with the caller's
credentials, so the role also reads and writes the workgroup's result prefix.
"""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from constructs import Construct

from coinlake.deployment import Deployment
from infra.catalog.construct import Catalog
from infra.lake import ATHENA_RESULTS, GOLD, READ, SILVER, LakeBucket, PrefixAccess

ANALYST_ACCESS = PrefixAccess(
    objects=((READ, (SILVER, GOLD)), (("s3:GetObject", "s3:PutObject"), (ATHENA_RESULTS,))),
    listed=(SILVER, GOLD, ATHENA_RESULTS),
)


ANALYST_QUERY_ACTIONS = (
    "athena:StartQueryExecution",
    "athena:StopQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:GetWorkGroup",
)
ANALYST_CATALOG_ACTIONS = (
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
)


class AnalystRole(Construct):
    """The role and its one policy."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        lake: LakeBucket,
        catalog: Catalog,
    ) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self,
            "Role",
            role_name=f"{deployment.prefix}-analyst",
            assumed_by=iam.AccountRootPrincipal(),
            description="coinlake analyst: Athena over Silver and Gold",
        )
        arn = f"arn:{Aws.PARTITION}"
        region_account = f"{Aws.REGION}:{Aws.ACCOUNT_ID}"
        policy = iam.Policy(self, "QueryAccess", policy_name="query-access")
        policy.add_statements(*ANALYST_ACCESS.statements(lake))
        policy.add_statements(
            iam.PolicyStatement(
                actions=list(ANALYST_QUERY_ACTIONS),
                resources=[f"{arn}:athena:{region_account}:workgroup/{catalog.workgroup_name}"],
            ),
            iam.PolicyStatement(
                actions=list(ANALYST_CATALOG_ACTIONS),
                resources=[
                    f"{arn}:glue:{region_account}:catalog",
                    f"{arn}:glue:{region_account}:database/{catalog.database_name}",
                    f"{arn}:glue:{region_account}:table/{catalog.database_name}/*",
                ],
            ),
        )
        policy.attach_to_role(self.role)
