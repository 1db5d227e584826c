"""`S3Store`: the lake in S3 (`s3://bucket/prefix`), through boto3.

Create-only writes are `PutObject` with `If-None-Match: *` (412 => the key exists, the original is
kept); compare-and-swap is `PutObject` with `If-Match: <ETag>` (412 => someone else wrote first).
S3 answers 409 `ConditionalRequestConflict` while another conditional write to the same key is in
flight; create-only retries it briefly (the retry then sees 412), compare-and-swap reports it as
a lost race. See https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html.

botocore errors become `StorageError`s whose one-line messages name the bucket or key and say what
to do next.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from coinlake.errors import ConcurrentUpdateError, ConfigError, StorageError
from coinlake.storage.base import check_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_CONFLICT_RETRIES = 5
_CONFLICT_PAUSE_S = 0.05
_MISSING_BUCKET = {"NoSuchBucket"}
_DENIED = {"AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch"}
_MISSING_KEY = {"NoSuchKey", "404", "NotFound"}
_PRECONDITION = {"PreconditionFailed", "412"}
_CONFLICT = {"ConditionalRequestConflict", "409"}


class LakeSetupError(StorageError, ConfigError):
    """The lake's location or credentials are wrong (a missing bucket, no credentials): a
    setting to fix, so the CLI reports it as a usage error (exit 2)."""


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """Split `s3://bucket/prefix` into (bucket, prefix without slashes at either end).

    Raises:
        ConfigError: not an `s3://bucket[/prefix]` URI.
    """
    if not uri.startswith("s3://") or not uri[5:].split("/", 1)[0]:
        raise ConfigError(f"{uri!r} is not an s3://bucket/prefix location")
    bucket, _, prefix = uri[5:].partition("/")
    return bucket, prefix.strip("/")


class S3Store:
    """An `ObjectStore` over `s3://bucket/prefix` with a boto3 S3 client."""

    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        """Keys live at `prefix/key` in `bucket`; `client` is shared (boto3 clients are
        thread-safe)."""
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def __repr__(self) -> str:
        return f"S3Store({self.uri()!r})"

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_if_absent(self, key: str, data: bytes) -> bool:
        """`PutObject` with `If-None-Match: *`. See `ObjectStore`."""
        full = self._key(key)
        for attempt in range(_CONFLICT_RETRIES + 1):
            try:
                self.client.put_object(Bucket=self.bucket, Key=full, Body=data, IfNoneMatch="*")
            except ClientError as exc:
                code = _code(exc)
                if code in _PRECONDITION:
                    return False
                if code in _CONFLICT and attempt < _CONFLICT_RETRIES:
                    time.sleep(_CONFLICT_PAUSE_S * (attempt + 1))
                    continue
                raise self._error(exc, key, "s3:PutObject") from exc
            except BotoCoreError as exc:
                raise self._error(exc, key, "s3:PutObject") from exc
            return True
        raise StorageError(f"{self.uri(key)}: create-only write kept conflicting; retry later")

    def put(self, key: str, data: bytes) -> None:
        """Plain `PutObject` (S3 writes are atomic). See `ObjectStore`."""
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, key, "s3:PutObject") from exc

    def put_if_match(self, key: str, data: bytes, expected_version: str | None) -> str:
        """`PutObject` with `If-Match: <ETag>` (or `If-None-Match: *`). See `ObjectStore`."""
        full = self._key(key)
        try:
            if expected_version is None:
                response = self.client.put_object(
                    Bucket=self.bucket, Key=full, Body=data, IfNoneMatch="*"
                )
            else:
                response = self.client.put_object(
                    Bucket=self.bucket, Key=full, Body=data, IfMatch=expected_version
                )
        except ClientError as exc:
            code = _code(exc)
            if code in _PRECONDITION | _CONFLICT | _MISSING_KEY:
                what = "created" if expected_version is None else "changed or deleted"
                raise ConcurrentUpdateError(
                    f"{self.uri(key)} was {what} by another writer; re-read it and retry"
                ) from exc
            raise self._error(exc, key, "s3:PutObject") from exc
        except BotoCoreError as exc:
            raise self._error(exc, key, "s3:PutObject") from exc
        return response["ETag"]

    def get(self, key: str) -> bytes:
        """`GetObject`. See `ObjectStore`."""
        found = self.get_with_version(key)
        if found is None:
            raise StorageError(f"{self.uri(key)} does not exist")
        return found[0]

    def get_with_version(self, key: str) -> tuple[bytes, str] | None:
        """`GetObject`: bytes and ETag, or None. See `ObjectStore`."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            data = response["Body"].read()
        except ClientError as exc:
            if _code(exc) in _MISSING_KEY:
                return None
            raise self._error(exc, key, "s3:GetObject") from exc
        except BotoCoreError as exc:
            raise self._error(exc, key, "s3:GetObject") from exc
        return data, response["ETag"]

    def exists(self, key: str) -> bool:
        """`HeadObject`. See `ObjectStore`."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _code(exc) in _MISSING_KEY:
                return False
            raise self._error(exc, key, "s3:GetObject") from exc
        except BotoCoreError as exc:
            raise self._error(exc, key, "s3:GetObject") from exc
        return True

    def list(self, prefix: str = "") -> Iterator[str]:
        """`ListObjectsV2` pages (S3 returns keys sorted). See `ObjectStore`."""
        strip = f"{self.prefix}/" if self.prefix else ""
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=strip + prefix):
                for item in page.get("Contents", []):
                    name = item["Key"][len(strip) :]
                    if name and not name.endswith("/"):
                        yield name
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, prefix, "s3:ListBucket") from exc

    def delete(self, key: str) -> None:
        """`DeleteObject` (missing keys are fine). See `ObjectStore`."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, key, "s3:DeleteObject") from exc

    def uri(self, key: str = "") -> str:
        """`s3://bucket/prefix/key`."""
        if not key:
            return f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        return f"s3://{self.bucket}/{self._key(key)}"

    def local_path(self, key: str = "") -> Path | None:
        """Always None: S3 objects have no local file."""
        return None

    def _error(self, exc: ClientError | BotoCoreError, key: str, action: str) -> StorageError:
        where = "/".join(part for part in (f"s3://{self.bucket}", self.prefix, key) if part)
        if isinstance(exc, NoCredentialsError):
            return LakeSetupError(
                f"no AWS credentials to reach {where}: set AWS_PROFILE or "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run with an IAM role"
            )
        if isinstance(exc, BotoCoreError):
            return StorageError(f"cannot reach S3 for {where}: {exc}")
        code = _code(exc)
        if code in _MISSING_BUCKET:
            return LakeSetupError(
                f"S3 bucket {self.bucket!r} does not exist: create it (or deploy the stack with "
                "`make deploy`, see docs/aws.md), or point COINLAKE_LAKE at an existing "
                "s3://bucket/prefix"
            )
        if code in _DENIED:
            return StorageError(
                f"access denied to {where} ({action}): grant it to these AWS credentials ({code})"
            )
        message = exc.response.get("Error", {}).get("Message", "")
        return StorageError(f"S3 {action} on {where} failed: {code} {message}".rstrip())


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
