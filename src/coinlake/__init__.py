"""coinlake: a crypto market-data lakehouse (Bronze JSON -> Silver/Gold Parquet -> SQL)."""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

from coinlake._version import __version__

if TYPE_CHECKING:
    import duckdb

    from coinlake.api import run_ingest, run_query, run_transform
    from coinlake.config import Settings, load_settings

# The Python API is loaded on first use, so `import coinlake` (what the ingest Lambda does first)
# stays small and the Lambda package does not carry the transform and query layers.
_LAZY = {
    "run_ingest": "coinlake.api",
    "run_query": "coinlake.api",
    "run_transform": "coinlake.api",
    "Settings": "coinlake.config",
    "load_settings": "coinlake.config",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'coinlake' has no attribute {name!r}")


__all__ = [
    "Settings",
    "__version__",
    "connect",
    "load_settings",
    "run_ingest",
    "run_query",
    "run_transform",
]


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
    from coinlake.app.query import connect as connect_settings
    from coinlake.config import settings_of

    settings = settings_of(
        {"lake": os.fspath(lake), "s3_endpoint_url": s3_endpoint_url, "aws_region": aws_region}
    )
    return connect_settings(settings)
