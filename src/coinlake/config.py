"""Settings: flags > `COINLAKE_*` environment variables > `coinlake.toml` > defaults.

One frozen `Settings` is built at an entry point (CLI, Lambda handler, Glue job) with
`load_settings()` and passed down; nothing below the entry points reads `os.environ`.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from coinlake.errors import ConfigError

COINGECKO_PUBLIC_URL = "https://api.coingecko.com/api/v3"
COINGECKO_PRO_URL = "https://pro-api.coingecko.com/api/v3"
COINBASE_URL = "https://api.exchange.coinbase.com"

ENV_PREFIX = "COINLAKE_"
DEFAULT_CONFIG_FILE = "coinlake.toml"
DEPRECATED_ENV = {"INGEST_SOURCE": "ingest_source", "INGEST_MAX_PAGES": "ingest_max_pages"}
"""Old environment names still read (when the `COINLAKE_*` one is not set), with a warning."""

log = logging.getLogger(__name__)

# Matched with fullmatch: `$` would also accept a trailing newline.
_PRODUCT_RE = re.compile(r"[A-Z0-9]{2,10}-[A-Z0-9]{2,10}", re.ASCII)
_COIN_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}", re.ASCII)
_CURRENCY_RE = re.compile(r"[a-z]{3,5}", re.ASCII)

CommaList = tuple[str, ...]


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class Settings(BaseModel):
    """Everything a coinlake run needs to know, validated once."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    lake: str = "./lake"
    """Where the lake lives: a local folder or `s3://bucket/prefix`."""
    coingecko_url: str = COINGECKO_PUBLIC_URL
    """CoinGecko API base URL (the sandbox's in tests and the demo)."""
    coinbase_url: str = COINBASE_URL
    """Coinbase Exchange API base URL."""
    products: CommaList = ("BTC-USD", "ETH-USD", "SOL-USD")
    """Coinbase products whose trades are ingested."""
    coins: CommaList = ("bitcoin", "ethereum", "solana")
    """CoinGecko coin ids whose prices are ingested."""
    vs_currencies: CommaList = ("usd", "eur")
    """Quote currencies for CoinGecko prices."""
    s3_endpoint_url: str | None = None
    """An S3-compatible endpoint (moto, MinIO); None means AWS itself."""
    aws_region: str = "us-east-1"
    """Region for AWS clients."""
    athena_workgroup: str | None = None
    """Athena workgroup for `coinlake query --athena`; None means Athena is not configured."""
    athena_database: str = "coinlake"
    """Glue Data Catalog database holding the lake's tables."""
    athena_output_location: str | None = None
    """`s3://` folder for Athena results; None uses the workgroup's own setting."""
    athena_endpoint_url: str | None = None
    """An Athena-compatible endpoint (moto); None means AWS itself."""
    scheduler_endpoint_url: str | None = None
    """An EventBridge Scheduler-compatible endpoint (moto); None means AWS itself."""
    athena_timeout_s: float = Field(default=300.0, gt=0, le=86_400)
    """Deadline of one Athena query, start to last result page, in seconds."""
    coingecko_api_key: SecretStr | None = None
    """Optional CoinGecko Demo or Pro key; never logged."""
    coingecko_api_key_parameter: str | None = None
    """SSM parameter or Secrets Manager secret (arn) holding the CoinGecko key."""
    coingecko_key_tier: Literal["demo", "pro"] = "demo"
    """Which CoinGecko plan the key belongs to (decides the header name)."""
    coingecko_calls_per_minute: int = Field(default=30, ge=1, le=10_000)
    """Client-side CoinGecko budget; the documented Demo limit has been 30 and 100 a minute."""
    coinbase_requests_per_second: float = Field(default=10.0, gt=0, le=1_000)
    """Client-side Coinbase budget; the public limit is 10/s per IP with bursts to 15."""
    coinbase_burst: int = Field(default=15, ge=1, le=10_000)
    """Token-bucket capacity for Coinbase requests."""
    http_timeout_s: float = Field(default=10.0, gt=0, le=300)
    """Timeout of each HTTP call, in seconds."""
    retry_attempts: int = Field(default=6, ge=1, le=50)
    """Attempts per request, the first included."""
    retry_deadline_s: float = Field(default=120.0, gt=0, le=3_600)
    """Total time budget of one request and its retries."""
    schedule_coinbase: str = "rate(5 minutes)"
    """When `coinlake schedule` lands new Coinbase trades (EventBridge expression, or `off`)."""
    schedule_coingecko: str = "cron(0 17 * * ? *)"
    """When `coinlake schedule` lands a CoinGecko snapshot (EventBridge expression, or `off`)."""
    schedule_transform: str = "rate(15 minutes)"
    """When `coinlake schedule` builds Silver and Gold (EventBridge expression, or `off`)."""
    schedule_timezone: str = "UTC"
    """IANA time zone the cron schedules are read in, e.g. `America/Los_Angeles`."""
    engine: Literal["duckdb", "spark"] = "duckdb"
    """Engine for the Silver and Gold transforms."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Log level at the entry points."""
    log_format: Literal["text", "json"] = "text"
    """`json` for structured logs (Lambda, Glue), `text` for people."""
    source_options: dict[str, dict[str, str]] = Field(default_factory=dict)
    """Settings of a source that brings its own, by source name (`[source_options.<name>]` in
    `coinlake.toml`, e.g. `url = "https://..."`); the built-in sources have fields above."""
    ingest_source: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    """Source a scheduled Lambda event ingests (`all` or a source name); None: from the rule."""
    ingest_max_pages: int = Field(default=3000, ge=1, le=1_000_000)
    """Pages per product and Lambda invocation (about five minutes of Coinbase pages at
    10 requests a second); the walk resumes next time."""

    @field_validator("products", mode="before")
    @classmethod
    def _parse_products(cls, value: object) -> object:
        items = _split_commas(value)
        if isinstance(items, tuple | list):
            for item in map(str, items):
                # Checked before upper(): a dotless i or a sharp s would become ASCII.
                if not (item.isascii() and _PRODUCT_RE.fullmatch(item.upper())):
                    raise ValueError(f"{item!r} is not a product id like BTC-USD")
            items = tuple(str(item).upper() for item in items)
        return items

    @field_validator("coins", mode="before")
    @classmethod
    def _parse_coins(cls, value: object) -> object:
        return _check_all(_split_commas(value), _COIN_RE, "a CoinGecko coin id like bitcoin")

    @field_validator("vs_currencies", mode="before")
    @classmethod
    def _parse_currencies(cls, value: object) -> object:
        items = _split_commas(value)
        if isinstance(items, tuple | list):
            _check_all(items, re.compile(r"[A-Za-z]{3,5}", re.ASCII), "a currency code like usd")
            items = tuple(str(item).lower() for item in items)
        return _check_all(items, _CURRENCY_RE, "a currency code like usd")

    @field_validator("products", "coins", "vs_currencies")
    @classmethod
    def _not_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("must name at least one")
        return tuple(dict.fromkeys(value))

    @field_validator(
        "coingecko_url",
        "coinbase_url",
        "s3_endpoint_url",
        "athena_endpoint_url",
        "scheduler_endpoint_url",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @field_validator("lake")
    @classmethod
    def _lake_location(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must be a folder or s3://bucket/prefix")
        if value.startswith("s3://"):
            if not re.match(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", value):
                raise ValueError(f"{value!r} is not a valid s3://bucket/prefix")
            return value.rstrip("/")
        if "://" in value:
            raise ValueError(f"{value!r}: only local folders and s3:// are supported")
        return value

    @property
    def lake_is_s3(self) -> bool:
        """True when the lake lives in S3."""
        return self.lake.startswith("s3://")


def _check_all(items: object, pattern: re.Pattern[str], what: str) -> object:
    if isinstance(items, tuple | list):
        for item in items:
            if not pattern.fullmatch(str(item)):
                raise ValueError(f"{item!r} is not {what}")
    return items


def read_config_file(path: Path) -> dict[str, Any]:
    """Read `coinlake.toml`: its keys are the setting names (`lake`, `products`, ...).

    Raises:
        ConfigError: the file is unreadable or not valid TOML.
    """
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
            f"offset {exc.start}): save it as UTF-8"
        ) from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"config file {path} is a folder, not a file") from exc
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    section = data.get("coinlake", data)
    if not isinstance(section, dict):
        raise ConfigError(f"config file {path}: [coinlake] must be a table")
    # [quality] holds the data-quality checks (coinlake.quality.config), not settings
    return {key: value for key, value in section.items() if key != "quality"}


def load_settings(
    overrides: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Build the settings with their precedence: overrides (flags) > environment > file > defaults.

    Args:
        overrides: values from command-line flags; None values are ignored.
        environ: the environment to read (`os.environ` when None).
        config_file: explicit TOML file; else `COINLAKE_CONFIG`, else `./coinlake.toml` if present.

    Raises:
        ConfigError: one line naming the first invalid setting.
    """
    return load_settings_with_origins(overrides, environ=environ, config_file=config_file)[0]


def load_settings_with_origins(
    overrides: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> tuple[Settings, dict[str, str]]:
    """`load_settings`, plus where each setting not left at its default came from.

    The origins are `--flag`, `COINLAKE_NAME` or `<file>:name`; a setting missing from the map
    has its default (`coinlake config` shows them all).
    """
    import os

    env = dict(os.environ if environ is None else environ)
    if config_file is None and env.get(f"{ENV_PREFIX}CONFIG"):
        config_file = Path(env[f"{ENV_PREFIX}CONFIG"])
    file_values: dict[str, Any] = {}
    if config_file is None and Path(DEFAULT_CONFIG_FILE).is_file():
        config_file = Path(DEFAULT_CONFIG_FILE)
    if config_file is not None:
        file_values = read_config_file(config_file)

    env_values = {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in env.items()
        if key.upper().startswith(ENV_PREFIX) and key.upper() != f"{ENV_PREFIX}CONFIG"
    }
    env_origin = {key: f"{ENV_PREFIX}{key.upper()}" for key in env_values}
    for old, name in DEPRECATED_ENV.items():
        if env.get(old) and name not in env_values:
            log.warning("%s is deprecated: set %s%s instead", old, ENV_PREFIX, name.upper())
            env_values[name] = env[old]
            env_origin[name] = old
    flag_values = {key: value for key, value in (overrides or {}).items() if value is not None}
    merged: dict[str, Any] = {**file_values, **env_values, **flag_values}
    origin = {
        **{key: f"{config_file}:{key}" for key in file_values},
        **env_origin,
        **{key: f"--{key.replace('_', '-')}" for key in flag_values},
    }
    return _validated(merged, origin), origin


def settings_of(values: Mapping[str, object]) -> Settings:
    """Settings from `values` alone (None values ignored; no environment, no config file), for
    library calls such as `coinlake.connect` that take their few settings as arguments.

    Raises:
        ConfigError: one line naming the first invalid setting.
    """
    given = {key: value for key, value in values.items() if value is not None}
    return _validated(given, {key: key for key in given})


def _validated(values: Mapping[str, Any], origin: Mapping[str, str]) -> Settings:
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin)) from exc


def _describe(exc: ValidationError, origin: Mapping[str, str]) -> str:
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else "settings"
    where = origin.get(name, name)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"invalid setting {where}: unknown setting {name!r}"
    return f"invalid setting {where} ({name}): {message}"
