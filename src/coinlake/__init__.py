"""coinlake: a crypto market-data lakehouse (Bronze JSON -> Silver/Gold Parquet -> SQL)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from coinlake._version import __version__

if TYPE_CHECKING:
    import duckdb

__all__ = ["__version__", "connect"]


def connect(
    lake: str | os.PathLike[str] = "./lake",
    *,
    s3_endpoint_url: str | None = None,
    aws_region: str = "us-east-1",
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the lake's tables as views (`coinlake.silver_trades`, ...).

    `lake` is a folder or `s3://bucket/prefix` (read through pyarrow's S3 filesystem with the
    standard AWS credentials; `s3_endpoint_url` for MinIO or moto). duckdb is imported here, not
    at package import: the ingestion Lambda imports coinlake without it.

    Raises:
        ConfigError: the lake location is invalid or the folder does not exist.
        QueryFailedError: the lake's files could not be read.
    """
    from coinlake.query.views import connect_lake

    return connect_lake(lake, s3_endpoint_url=s3_endpoint_url, aws_region=aws_region)
