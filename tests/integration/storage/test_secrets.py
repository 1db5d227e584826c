"""The CoinGecko key from SSM Parameter Store and Secrets Manager, against moto."""

from __future__ import annotations

import json

import boto3
import pytest

from coinlake.config import Settings
from coinlake.errors import ConfigError
from coinlake.sources.coingecko.source import coingecko_api_key

pytestmark = pytest.mark.integration


def _settings(**values: object) -> Settings:
    return Settings(aws_region="us-east-1", **values)  # type: ignore[arg-type]


def test_an_explicit_key_wins_and_no_location_means_keyless() -> None:
    assert coingecko_api_key(_settings()) is None
    key = coingecko_api_key(_settings(coingecko_api_key="CG-direct"))
    assert key is not None
    assert key.get_secret_value() == "CG-direct"


def test_a_secure_string_parameter_is_decrypted(aws_credentials: str) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm.put_parameter(Name="/coinlake/ssm-key", Value="CG-ssm", Type="SecureString")
    for where in ("/coinlake/ssm-key", "ssm:/coinlake/ssm-key"):
        key = coingecko_api_key(_settings(coingecko_api_key_parameter=where))
        assert key is not None
        assert key.get_secret_value() == "CG-ssm"
        assert "CG-ssm" not in repr(key)


def test_a_secret_by_arn_with_a_json_value(aws_credentials: str) -> None:
    manager = boto3.client("secretsmanager", region_name="us-east-1")
    arn = manager.create_secret(
        Name="coinlake/gecko-json", SecretString=json.dumps({"coingecko_api_key": "CG-json"})
    )["ARN"]
    key = coingecko_api_key(_settings(coingecko_api_key_parameter=arn))
    assert key is not None
    assert key.get_secret_value() == "CG-json"


def test_a_secret_by_name_with_a_plain_value(aws_credentials: str) -> None:
    manager = boto3.client("secretsmanager", region_name="us-east-1")
    manager.create_secret(Name="coinlake/gecko-plain", SecretString="CG-plain\n")
    settings = _settings(coingecko_api_key_parameter="secretsmanager:coinlake/gecko-plain")
    key = coingecko_api_key(settings)
    assert key is not None
    assert key.get_secret_value() == "CG-plain"


def test_a_missing_parameter_is_one_clear_config_error(aws_credentials: str) -> None:
    with pytest.raises(ConfigError, match="SSM parameter /coinlake/nope does not exist"):
        coingecko_api_key(_settings(coingecko_api_key_parameter="/coinlake/nope"))
    with pytest.raises(ConfigError, match="secret coinlake/nope does not exist"):
        coingecko_api_key(_settings(coingecko_api_key_parameter="secretsmanager:coinlake/nope"))


def test_a_json_secret_without_the_member_is_refused(aws_credentials: str) -> None:
    manager = boto3.client("secretsmanager", region_name="us-east-1")
    manager.create_secret(Name="coinlake/gecko-bad", SecretString='{"a": "1", "b": "2"}')
    with pytest.raises(ConfigError, match="without a coingecko_api_key member"):
        coingecko_api_key(
            _settings(coingecko_api_key_parameter="secretsmanager:coinlake/gecko-bad")
        )


def test_entry_points_sources_carry_the_key_from_ssm(aws_credentials: str) -> None:
    from coinlake.ingest.run import Sources

    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm.put_parameter(Name="/coinlake/run-key", Value="CG-run", Type="SecureString")
    settings = _settings(coingecko_api_key_parameter="/coinlake/run-key")
    with Sources.for_settings(settings) as sources:
        gecko = sources.client("coingecko")
        assert gecko.key_tier == "demo"
        headers = {k: v.get_secret_value() for k, v in gecko.client._secret_headers.items()}
        assert headers == {"x-cg-demo-api-key": "CG-run"}
    with Sources.for_settings(_settings()) as keyless:
        assert keyless.client("coingecko").key_tier is None
