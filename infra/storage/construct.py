"""The lake bucket: every layer and the Athena results under their own prefixes (docs/adr/0003).

SSE-S3, all public access blocked, a bucket policy denying plain HTTP, versioning (a bad
transform run can be undone), and lifecycle rules: Bronze moves to Standard-IA and then Glacier
Instant Retrieval, Athena results and `_staging/` leftovers expire, old versions expire, and
abandoned multipart uploads are aborted.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from coinlake.deployment import Deployment
from infra.lake import ATHENA_RESULTS, BRONZE, STAGING, LakeBucket

NONCURRENT_VERSION_DAYS = 30
"""Replaced Silver/Gold files (and deleted objects) stay restorable this long."""
ABORT_MULTIPART_DAYS = 7


class Storage(Construct):
    """The lake bucket (retained when the stack is deleted: it holds the data)."""

    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Lake",
            bucket_name=f"{deployment.prefix}-lake-{Aws.ACCOUNT_ID}-{Aws.REGION}",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=_lifecycle_rules(deployment),
        )
        self.lake = LakeBucket(self.bucket)


def _lifecycle_rules(deployment: Deployment) -> list[s3.LifecycleRule]:
    expire = Duration.days(deployment.athena_results_days)
    return [
        s3.LifecycleRule(
            id="bronze-to-cheaper-storage",
            prefix=f"{BRONZE}/",
            transitions=[
                s3.Transition(
                    storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                    transition_after=Duration.days(deployment.bronze_ia_days),
                ),
                s3.Transition(
                    storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                    transition_after=Duration.days(deployment.bronze_glacier_days),
                ),
            ],
        ),
        s3.LifecycleRule(
            id="athena-results-expire", prefix=f"{ATHENA_RESULTS}/", expiration=expire
        ),
        s3.LifecycleRule(id="staging-expire", prefix=f"{STAGING}/", expiration=expire),
        s3.LifecycleRule(
            id="old-versions-expire",
            noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS),
            abort_incomplete_multipart_upload_after=Duration.days(ABORT_MULTIPART_DAYS),
        ),
    ]
