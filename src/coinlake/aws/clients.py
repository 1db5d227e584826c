"""boto3 client factory: the one place that turns `Settings` into AWS clients.

Clients honour `Settings.aws_region` and, for S3, `Settings.s3_endpoint_url` (moto, MinIO).
Credentials come from the standard AWS chain (environment, profile, Lambda role). Each call makes
a fresh `boto3.session.Session`: sessions are not thread-safe, the clients they make are, so one
client may be shared by threads. Nothing here connects until a client makes its first call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol, cast

import boto3
from botocore.config import Config

from coinlake.config import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

CONNECT_TIMEOUT_S = 5.0
"""Seconds to open a connection to an AWS endpoint."""
READ_TIMEOUT_S = 30.0
"""Seconds to wait for a response."""
MAX_ATTEMPTS = 5
"""Attempts per call (botocore's standard retry mode: throttling, 5xx, connection errors)."""


def client_config(*, max_pool_connections: int = 16) -> Config:
    """Timeouts, standard retries and a connection pool big enough for a few threads."""
    return Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        max_pool_connections=max_pool_connections,
    )


def s3_client(settings: Settings) -> S3Client:
    """An S3 client for the lake (`s3_endpoint_url` and `aws_region` from the settings)."""
    session = boto3.session.Session()
    return session.client(
        "s3",
        region_name=settings.aws_region,
        endpoint_url=settings.s3_endpoint_url,
        config=client_config(),
    )


def scheduler_client(settings: Settings) -> EventBridgeSchedulerClient:
    """An EventBridge Scheduler client (`scheduler_endpoint_url` and `aws_region`)."""
    session = boto3.session.Session()
    return session.client(
        "scheduler",
        region_name=settings.aws_region,
        endpoint_url=settings.scheduler_endpoint_url,
        config=client_config(max_pool_connections=2),
    )


class ParameterStoreClient(Protocol):
    """The SSM call `aws/secrets.py` makes."""

    def get_parameter(self, *, Name: str, WithDecryption: bool) -> Mapping[str, object]:
        """SSM GetParameter."""
        ...


class SecretsManagerClient(Protocol):
    """The Secrets Manager call `aws/secrets.py` makes."""

    def get_secret_value(self, *, SecretId: str) -> Mapping[str, object]:
        """Secrets Manager GetSecretValue."""
        ...


def ssm_client(settings: Settings, *, endpoint_url: str | None = None) -> ParameterStoreClient:
    """An SSM (Parameter Store) client in `aws_region`.

    The endpoint defaults to AWS (or `AWS_ENDPOINT_URL_SSM`, which botocore honours).
    """
    client = boto3.session.Session().client(
        "ssm",
        region_name=settings.aws_region,
        endpoint_url=endpoint_url,
        config=client_config(max_pool_connections=2),
    )
    return cast("ParameterStoreClient", client)


def secretsmanager_client(
    settings: Settings, *, endpoint_url: str | None = None
) -> SecretsManagerClient:
    """A Secrets Manager client in `aws_region`.

    The endpoint defaults to AWS (or `AWS_ENDPOINT_URL_SECRETS_MANAGER`).
    """
    client = boto3.session.Session().client(
        "secretsmanager",
        region_name=settings.aws_region,
        endpoint_url=endpoint_url,
        config=client_config(max_pool_connections=2),
    )
    return cast("SecretsManagerClient", client)
