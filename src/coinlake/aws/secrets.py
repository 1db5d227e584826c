"""Read the CoinGecko API key from SSM Parameter Store or Secrets Manager.

`Settings.coingecko_api_key_parameter` names where the key lives:

- `arn:aws:secretsmanager:...` or `secretsmanager:<name>`: a Secrets Manager secret;
- `arn:aws:ssm:...:parameter/<name>`, `ssm:<name>` or a bare name (`/coinlake/coingecko-key`):
  an SSM parameter (a `SecureString` is decrypted).

A secret string that is a JSON object gives its `coingecko_api_key`, `api_key` or `key` member, or
its only member. The value is returned as a `SecretStr` and never logged or put in messages.
"""

from __future__ import annotations

import json
import logging

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import SecretStr

from coinlake.aws.clients import (
    ParameterStoreClient,
    SecretsManagerClient,
    secretsmanager_client,
    ssm_client,
)
from coinlake.config import Settings
from coinlake.errors import ConfigError

log = logging.getLogger(__name__)

_JSON_MEMBERS = ("coingecko_api_key", "api_key", "key")
_NOT_FOUND = {"ParameterNotFound", "ResourceNotFoundException"}
_DENIED = {"AccessDeniedException", "AccessDenied", "UnrecognizedClientException"}


def coingecko_api_key(
    settings: Settings,
    *,
    ssm: ParameterStoreClient | None = None,
    secretsmanager: SecretsManagerClient | None = None,
) -> SecretStr | None:
    """The CoinGecko key: `settings.coingecko_api_key`, else the one stored at
    `settings.coingecko_api_key_parameter`, else None (keyless).

    Raises:
        ConfigError: the parameter or secret is missing, unreadable or empty.
    """
    if settings.coingecko_api_key is not None:
        return settings.coingecko_api_key
    where = settings.coingecko_api_key_parameter
    if not where:
        return None
    if where.startswith(("arn:aws:secretsmanager:", "secretsmanager:")):
        name = where.removeprefix("secretsmanager:")
        client = secretsmanager or secretsmanager_client(settings)
        return _from_secrets_manager(client, name)
    name = where.removeprefix("ssm:")
    return _from_ssm(ssm or ssm_client(settings), name)


def _from_ssm(client: ParameterStoreClient, name: str) -> SecretStr:
    try:
        response = client.get_parameter(Name=name, WithDecryption=True)
    except (ClientError, BotoCoreError) as exc:
        raise _error(exc, f"SSM parameter {name}", "ssm:GetParameter") from exc
    parameter = response.get("Parameter")
    value = parameter.get("Value") if isinstance(parameter, dict) else None
    log.debug("read the CoinGecko key from SSM parameter %s", name)
    return _secret(value, f"SSM parameter {name}")


def _from_secrets_manager(client: SecretsManagerClient, name: str) -> SecretStr:
    try:
        response = client.get_secret_value(SecretId=name)
    except (ClientError, BotoCoreError) as exc:
        raise _error(exc, f"secret {name}", "secretsmanager:GetSecretValue") from exc
    log.debug("read the CoinGecko key from Secrets Manager secret %s", name)
    return _secret(response.get("SecretString"), f"secret {name}")


def _secret(value: object, what: str) -> SecretStr:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{what} holds no CoinGecko key (empty or binary): store the key text")
    text = value.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict):
            found = [document[name] for name in _JSON_MEMBERS if name in document]
            if not found and len(document) == 1:
                found = list(document.values())
            if not found or not isinstance(found[0], str) or not found[0].strip():
                raise ConfigError(
                    f"{what} is a JSON object without a coingecko_api_key member: add one"
                )
            text = found[0].strip()
    return SecretStr(text)


def _error(exc: ClientError | BotoCoreError, what: str, action: str) -> ConfigError:
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _NOT_FOUND:
            return ConfigError(
                f"{what} does not exist: create it or fix coingecko_api_key_parameter"
            )
        if code in _DENIED:
            return ConfigError(f"access denied to {what}: grant {action} to these credentials")
        return ConfigError(f"cannot read the CoinGecko key from {what}: {code}")
    return ConfigError(f"cannot read the CoinGecko key from {what}: {type(exc).__name__}")
