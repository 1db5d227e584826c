"""Names shared by the units: the lake's top-level prefixes and their S3 ARNs.

Every prefix the platform touches is named here once, so the IAM statements of each unit, the
lifecycle rules and the tests read the same spelling (the lake layout is `docs/` contract).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

BRONZE = "bronze"
SILVER = "silver"
GOLD = "gold"
QUARANTINE = "quarantine"
STAGING = "_staging"
ATHENA_RESULTS = "athena-results"
INGEST_STATE = ("_state/cursors", "_state/locks", "_state/runs")
"""What ingestion keeps under `_state/`: trade cursors, leases and run records."""
TRANSFORM_STATE = ("_state/bookmarks", "_state/journal")
"""What the transforms keep under `_state/`: their bookmarks and commit journals."""


@dataclass(frozen=True, slots=True)
class LakeBucket:
    """The lake bucket and ARN builders for its prefixes."""

    bucket: s3.IBucket

    def objects(self, *prefixes: str) -> list[str]:
        """Object ARNs `arn:aws:s3:::<bucket>/<prefix>/*`, one per prefix."""
        return [self.bucket.arn_for_objects(f"{prefix}/*") for prefix in prefixes]

    @staticmethod
    def list_prefixes(*prefixes: str) -> list[str]:
        """`s3:prefix` values for ListBucket: the folder itself and anything under it."""
        values: list[str] = []
        for prefix in prefixes:
            values += [prefix, f"{prefix}/*"]
        return values

    def uri(self, prefix: str = "") -> str:
        """`s3://<bucket>` or `s3://<bucket>/<prefix>/`."""
        root = f"s3://{self.bucket.bucket_name}"
        return f"{root}/{prefix}/" if prefix else root


READ = ("s3:GetObject",)
CREATE = ("s3:PutObject",)
READ_WRITE = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")


@dataclass(frozen=True, slots=True)
class PrefixAccess:
    """What one role may do in the lake: object actions per prefix and the prefixes it lists."""

    objects: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    """(actions, prefixes) pairs; each becomes one statement on `<prefix>/*` object ARNs."""
    listed: tuple[str, ...]
    """Prefixes ListBucket is allowed for (an `s3:prefix` condition)."""

    def statements(self, lake: LakeBucket) -> list[iam.PolicyStatement]:
        """The IAM statements: scoped object ARNs, a conditioned ListBucket, GetBucketLocation."""
        result = [
            iam.PolicyStatement(actions=list(actions), resources=lake.objects(*prefixes))
            for actions, prefixes in self.objects
        ]
        result.append(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[lake.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": lake.list_prefixes(*self.listed)}},
            )
        )
        result.append(
            iam.PolicyStatement(
                actions=["s3:GetBucketLocation"], resources=[lake.bucket.bucket_arn]
            )
        )
        return result
