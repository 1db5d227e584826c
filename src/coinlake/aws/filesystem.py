"""Filesystems over the lake's S3 bucket, for the readers that open files by path.

DuckDB and pyarrow datasets read Parquet and JSON by path, not through the `ObjectStore` port.
DuckDB's own S3 support (the `httpfs` extension) is downloaded on first use, which fails on a
machine without internet, so both read through pyarrow's built-in S3 client instead:

- `s3_arrow_filesystem(settings)`: pyarrow's `S3FileSystem` (the query views' datasets);
- `s3_fsspec_filesystem(settings)`: the same client behind fsspec's interface, which
  `duckdb.register_filesystem` takes: DuckDB then reads `s3://bucket/key` paths through it.

Not s3fs: it needs aiobotocore, which pins botocore to a narrow range older than the boto3 the
rest of coinlake uses, so installing it next to boto3 breaks one or the other. Credentials come
from the standard AWS chain (environment, profile, instance or task role), as for boto3; the
endpoint and region are the settings' (`s3_endpoint_url`, `aws_region`). Nothing connects here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow.fs as pafs

from coinlake.aws.clients import CONNECT_TIMEOUT_S, MAX_ATTEMPTS, READ_TIMEOUT_S
from coinlake.config import Settings

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem


def s3_arrow_filesystem(settings: Settings) -> pafs.S3FileSystem:
    """pyarrow's S3 filesystem on the settings' endpoint and region (boto3's timeouts and
    attempts)."""
    endpoint = settings.s3_endpoint_url
    return pafs.S3FileSystem(
        region=settings.aws_region,
        endpoint_override=endpoint,
        scheme="http" if (endpoint or "").startswith("http://") else "https",
        connect_timeout=CONNECT_TIMEOUT_S,
        request_timeout=READ_TIMEOUT_S,
        retry_strategy=pafs.AwsStandardS3RetryStrategy(max_attempts=MAX_ATTEMPTS),
    )


def s3_fsspec_filesystem(settings: Settings) -> AbstractFileSystem:
    """An fsspec filesystem for `s3://` paths (pyarrow's client), for
    `duckdb.register_filesystem`."""
    from fsspec.implementations.arrow import ArrowFSWrapper

    filesystem: AbstractFileSystem = ArrowFSWrapper(s3_arrow_filesystem(settings))
    return filesystem
