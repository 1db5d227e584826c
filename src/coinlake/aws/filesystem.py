"""pyarrow's S3 filesystem over the lake's bucket, for readers that open files by path.

The query views read an `s3://` lake's Parquet as pyarrow datasets (partition pruning included),
since DuckDB's own S3 support (the `httpfs` extension) is downloaded on first use and fails on a
machine without internet. Credentials come from the standard AWS chain (environment, profile,
instance or task role), as for boto3; the endpoint and region are the settings'
(`s3_endpoint_url`, `aws_region`), the timeouts and attempts boto3's (`aws.clients`). Nothing
connects here.
"""

from __future__ import annotations

import pyarrow.fs as pafs

from coinlake.aws.clients import CONNECT_TIMEOUT_S, MAX_ATTEMPTS, READ_TIMEOUT_S
from coinlake.config import Settings


def s3_arrow_filesystem(settings: Settings) -> pafs.S3FileSystem:
    """pyarrow's S3 filesystem on the settings' endpoint and region."""
    endpoint = settings.s3_endpoint_url
    return pafs.S3FileSystem(
        region=settings.aws_region,
        endpoint_override=endpoint,
        scheme="http" if (endpoint or "").startswith("http://") else "https",
        connect_timeout=CONNECT_TIMEOUT_S,
        request_timeout=READ_TIMEOUT_S,
        retry_strategy=pafs.AwsStandardS3RetryStrategy(max_attempts=MAX_ATTEMPTS),
    )
