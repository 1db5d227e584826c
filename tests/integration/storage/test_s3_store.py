"""S3-only behaviour against moto: URIs, error messages, the settings factory."""

from __future__ import annotations

import json

import pytest
import requests

from coinlake.app.lake import open_lake
from coinlake.aws.s3 import S3Store, parse_s3_uri
from coinlake.config import Settings
from coinlake.errors import ConfigError, StorageError
from tests.fixtures.s3 import S3Lake

pytestmark = pytest.mark.integration


def test_open_store_gives_an_s3_store_under_the_prefix(s3_lake: S3Lake) -> None:
    store = open_lake(s3_lake.settings())
    assert isinstance(store, S3Store)
    assert store.put_if_absent("bronze/x.json", b"x")
    assert store.uri("bronze/x.json") == f"s3://{s3_lake.bucket}/lake/bronze/x.json"
    assert store.uri() == f"s3://{s3_lake.bucket}/lake"
    assert store.local_path("bronze/x.json") is None
    raw = s3_lake.client().get_object(Bucket=s3_lake.bucket, Key="lake/bronze/x.json")
    assert raw["Body"].read() == b"x"


def test_a_bucket_root_lake_has_no_prefix(s3_lake: S3Lake) -> None:
    store = open_lake(s3_lake.settings(lake=f"s3://{s3_lake.bucket}"))
    store.put("a.json", b"1")
    assert store.uri("a.json") == f"s3://{s3_lake.bucket}/a.json"
    assert list(store.list()) == ["a.json"]


def test_a_missing_bucket_is_one_clear_line(s3_lake: S3Lake) -> None:
    store = open_lake(s3_lake.settings(lake="s3://no-such-bucket-here/lake"))
    for action in (
        lambda: store.put_if_absent("bronze/x.json", b"x"),
        lambda: list(store.list("bronze/")),
        lambda: store.put_if_match("_state/x.json", b"x", None),
        lambda: store.get_with_version("_state/x.json"),
    ):
        with pytest.raises(StorageError) as caught:
            action()
        message = str(caught.value)
        assert "'no-such-bucket-here' does not exist" in message
        assert "create it" in message
        assert "\n" not in message


def test_access_denied_names_the_key(s3_lake: S3Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    # Set-up runs unauthenticated; then moto enforces IAM for a user allowed bronze/ only.
    iam = boto3.client("iam", endpoint_url=s3_lake.endpoint_url, region_name="us-east-1")
    user = f"writer-{s3_lake.bucket}"
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user,
        PolicyName="bronze-only",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:PutObject"],
                        "Resource": f"arn:aws:s3:::{s3_lake.bucket}/lake/bronze/*",
                    }
                ],
            }
        ),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    store = open_lake(s3_lake.settings())
    reset = f"{s3_lake.endpoint_url}/moto-api/reset-auth"
    requests.post(reset, data=b"0", timeout=5)
    try:
        assert store.put_if_absent("bronze/x.json", b"x")
        with pytest.raises(StorageError) as caught:
            store.put_if_absent("silver/x.parquet", b"x")
        with pytest.raises(StorageError, match=r"access denied to s3://\S+/lake/bronze/ \(s3:List"):
            list(store.list("bronze/"))
    finally:
        requests.post(reset, data=b"inf", timeout=5)
    message = str(caught.value)
    assert f"access denied to s3://{s3_lake.bucket}/lake/silver/x.parquet" in message
    assert "s3:PutObject" in message


def test_s3_uris_are_parsed() -> None:
    assert parse_s3_uri("s3://bucket/a/b/") == ("bucket", "a/b")
    assert parse_s3_uri("s3://bucket") == ("bucket", "")
    with pytest.raises(ConfigError):
        parse_s3_uri("s3:///x")


def test_open_store_on_a_folder_is_local(tmp_path: object) -> None:
    store = open_lake(Settings(lake=f"{tmp_path}/lake"))
    assert store.local_path("a.json") == store.local_path() / "a.json"  # type: ignore[operator]


def test_missing_credentials_are_one_clear_line(
    s3_lake: S3Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store = open_lake(s3_lake.settings())
    with pytest.raises(StorageError, match="no AWS credentials to reach s3://"):
        store.put("bronze/x.json", b"x")


def test_an_unreachable_endpoint_is_a_storage_error(aws_credentials: str) -> None:
    settings = Settings(lake="s3://some-bucket/lake", s3_endpoint_url="http://127.0.0.1:9")
    store = open_lake(settings)
    with pytest.raises(StorageError, match=r"cannot reach S3 for s3://some-bucket/lake/a\.json"):
        store.get_with_version("a.json")
