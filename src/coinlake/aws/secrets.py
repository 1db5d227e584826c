"""Read an API key from SSM Parameter Store or Secrets Manager.

A source names its key with a `KeyRef` (the setting that says where it lives, how to call it in
messages, its member in a JSON secret); `read_api_key` reads it. The setting names where the
key lives (CoinGecko's `coingecko_api_key_parameter`, say):

- `arn:aws:secretsmanager:...` or `secretsmanager:<name>`: a Secrets Manager secret;
- `arn:aws:ssm:...:parameter/<name>`, `ssm:<name>` or a bare name (`/coinlake/coingecko-key`):
  an SSM parameter (a `SecureString` is decrypted).

A secret string that is a JSON object gives its named member (`coingecko_api_key`), `api_key` or
`key`, or its only member. The value is returned as a `SecretStr` and never logged or put in
messages.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

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

_JSON_MEMBERS = ("api_key", "key")
_NOT_FOUND = {"ParameterNotFound", "ResourceNotFoundException"}
_DENIED = {"AccessDeniedException", "AccessDenied", "UnrecognizedClientException"}


@dataclass(frozen=True, slots=True)
class KeyRef:
    """How a source names its key."""

    setting: str
    """The setting that holds the parameter or secret name (`coingecko_api_key_parameter`)."""
    label: str
    """The key in messages (`CoinGecko key`)."""
    member: str
    """Its member in a JSON secret, tried before `api_key` and `key`."""


def read_api_key(
    settings: Settings,
    where: str,
    ref: KeyRef,
    *,
    ssm: ParameterStoreClient | None = None,
    secretsmanager: SecretsManagerClient | None = None,
) -> SecretStr:
    """The key stored at `where` (an SSM parameter or a Secrets Manager secret).

    Raises:
        ConfigError: the parameter or secret is missing, unreadable or empty.
    """
    if where.startswith(("arn:aws:secretsmanager:", "secretsmanager:")):
        name = where.removeprefix("secretsmanager:")
        client = secretsmanager or secretsmanager_client(settings)
        return _from_secrets_manager(client, name, ref)
    name = where.removeprefix("ssm:")
    return _from_ssm(ssm or ssm_client(settings), name, ref)


def _from_ssm(client: ParameterStoreClient, name: str, ref: KeyRef) -> SecretStr:
    try:
        response = client.get_parameter(Name=name, WithDecryption=True)
    except (ClientError, BotoCoreError) as exc:
        raise _error(exc, f"SSM parameter {name}", "ssm:GetParameter", ref) from exc
    parameter = response.get("Parameter")
    value = parameter.get("Value") if isinstance(parameter, dict) else None
    log.debug("read the %s from SSM parameter %s", ref.label, name)
    return _secret(value, f"SSM parameter {name}", ref)


def _from_secrets_manager(client: SecretsManagerClient, name: str, ref: KeyRef) -> SecretStr:
    try:
        response = client.get_secret_value(SecretId=name)
    except (ClientError, BotoCoreError) as exc:
        raise _error(exc, f"secret {name}", "secretsmanager:GetSecretValue", ref) from exc
    log.debug("read the %s from Secrets Manager secret %s", ref.label, name)
    return _secret(response.get("SecretString"), f"secret {name}", ref)


def _secret(value: object, what: str, ref: KeyRef) -> SecretStr:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{what} holds no {ref.label} (empty or binary): store the key text")
    text = value.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict):
            members = (ref.member, *_JSON_MEMBERS)
            found = [document[name] for name in members if name in document]
            if not found and len(document) == 1:
                found = list(document.values())
            if not found or not isinstance(found[0], str) or not found[0].strip():
                raise ConfigError(f"{what} is a JSON object without a {ref.member} member: add one")
            text = found[0].strip()
    return SecretStr(text)


def _error(exc: ClientError | BotoCoreError, what: str, action: str, ref: KeyRef) -> ConfigError:
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _NOT_FOUND:
            return ConfigError(f"{what} does not exist: create it or fix {ref.setting}")
        if code in _DENIED:
            return ConfigError(f"access denied to {what}: grant {action} to these credentials")
        return ConfigError(f"cannot read the {ref.label} from {what}: {code}")
    return ConfigError(f"cannot read the {ref.label} from {what}: {type(exc).__name__}")
