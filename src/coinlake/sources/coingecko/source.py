"""CoinGecko as the registry sees it: the `simple_price` snapshot and `market_chart_range`
history by window. Nothing here connects: `open` builds the client (reading the key from SSM
or Secrets Manager when `coingecko_api_key_parameter` names one) when a run first asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from coinlake.sources.paging import Dataset, KeyLayout, SourceSpec

if TYPE_CHECKING:
    from pydantic import SecretStr

    from coinlake.aws.clients import ParameterStoreClient, SecretsManagerClient
    from coinlake.config import Settings
    from coinlake.domain.clock import Clock
    from coinlake.sources.coingecko.client import CoinGeckoSource

NAME = "coingecko"


def coin_currencies(settings: Settings) -> Sequence[str]:
    """`<coin>/<currency>` for every configured coin and currency (history items)."""
    return tuple(f"{coin}/{cur}" for coin in settings.coins for cur in settings.vs_currencies)


def open_client(settings: Settings, clock: Clock) -> CoinGeckoSource:
    """The CoinGecko client for a run, with the key when one is configured.

    Raises:
        ConfigError: the key's parameter or secret cannot be read.
    """
    from coinlake.sources.coingecko.client import CoinGeckoSource

    key = None
    if settings.coingecko_api_key_parameter and settings.coingecko_api_key is None:
        key = coingecko_api_key(settings)
    return CoinGeckoSource.from_settings(settings, api_key=key, clock=clock)


def coingecko_api_key(
    settings: Settings,
    *,
    ssm: ParameterStoreClient | None = None,
    secretsmanager: SecretsManagerClient | None = None,
) -> SecretStr | None:
    """The CoinGecko key: `settings.coingecko_api_key`, else the one stored at
    `settings.coingecko_api_key_parameter` (SSM or Secrets Manager), else None (keyless).

    Raises:
        ConfigError: the parameter or secret is missing, unreadable or empty.
    """
    if settings.coingecko_api_key is not None:
        return settings.coingecko_api_key
    where = settings.coingecko_api_key_parameter
    if not where:
        return None
    from coinlake.aws.secrets import KeyRef, read_api_key

    ref = KeyRef("coingecko_api_key_parameter", "CoinGecko key", "coingecko_api_key")
    return read_api_key(settings, where, ref, ssm=ssm, secretsmanager=secretsmanager)


SOURCE = SourceSpec(
    name=NAME,
    title="CoinGecko",
    datasets=(
        Dataset(
            "simple_price",
            "snapshot",
            KeyLayout(("year", "month", "day"), "fetched_at"),
            backfill=False,
        ),
        Dataset(
            "market_chart_range",
            "windows",
            KeyLayout(("coin", "vs_currency", "date"), "time_range"),
            items=coin_currencies,
            ingest=False,
        ),
    ),
    open=open_client,
)
