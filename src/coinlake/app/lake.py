"""`open_lake(settings)`: the lake's `ObjectStore` from `Settings.lake`, built in this one place.

A local folder gives a `LocalStore`; `s3://bucket/prefix` gives an `S3Store` (boto3 is imported
only then, so local runs and the Lambda's cold start do not pay for what they do not use).
Nothing connects here: the first call on the store does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coinlake.storage.base import ObjectStore
from coinlake.storage.local import LocalStore

if TYPE_CHECKING:
    from coinlake.config import Settings


def open_lake(settings: Settings) -> ObjectStore:
    """The lake at `settings.lake` (honours `s3_endpoint_url` and `aws_region` for S3).

    Raises:
        ConfigError: the location is not a folder or not a valid `s3://bucket/prefix`.
    """
    if settings.lake_is_s3:
        from coinlake.aws.clients import s3_client
        from coinlake.aws.s3 import S3Store, parse_s3_uri

        bucket, prefix = parse_s3_uri(settings.lake)
        return S3Store(s3_client(settings), bucket, prefix)
    return LocalStore(settings.lake)
