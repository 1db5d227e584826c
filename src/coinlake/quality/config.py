"""Quality settings: the `[quality]` table of `coinlake.toml`.

[quality]
fetch_window_minutes = 5        # a trade stamped later than this after its fetch is invalid
trades_max_lag_minutes = 60     # freshness of the newest trade per product
prices_max_lag_minutes = 1500   # freshness of the newest CoinGecko snapshot per coin
vwap_tolerance = 0.02           # |hourly VWAP / CoinGecko price - 1|
candles_tolerance = 0.01        # |candles volume / trades volume - 1| per hour
anomaly_deviations = 6.0        # robust deviations (MAD) beyond which an hour is reported
modules = ["my_checks"]         # Python modules with a CHECKS list of coinlake.quality.Check
disabled = ["anomaly_volume"]   # built-in checks to skip

[quality.coins]                 # Coinbase product base -> CoinGecko coin id
BTC = "bitcoin"

[quality.severity]              # per-check overrides
freshness_trades = "error"

[quality.threshold]
freshness_trades = 120

[[quality.checks]]              # your own: SQL returning the offending rows, with a `k` column
name = "btc_price_below_1000"
table = "silver_trades"
severity = "warn"
sql = "SELECT trade_id AS k FROM silver_trades WHERE price < 1000"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coinlake.errors import ConfigError
from coinlake.quality.model import Severity

DEFAULT_COINS: dict[str, str] = {
    "BTC": "bitcoin",
    "ETH": "ethereum",
    "SOL": "solana",
    "ADA": "cardano",
    "DOGE": "dogecoin",
    "XRP": "ripple",
    "LTC": "litecoin",
    "AVAX": "avalanche-2",
    "LINK": "chainlink",
    "DOT": "polkadot",
}
"""Coinbase base currency -> CoinGecko coin id, for the VWAP-against-CoinGecko check."""


class UserCheck(BaseModel):
    """One `[[quality.checks]]` entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    """Unique check name."""
    table: str
    """The table it is about (a query name such as `silver_trades`)."""
    sql: str = Field(min_length=1)
    """Spark SQL returning the offending rows; a column `k` (any type) names each one."""
    severity: Severity = "error"
    """error, warn or info."""
    threshold: float = 0.0
    """Offending rows allowed."""
    description: str = ""
    """One line for people."""


class QualityConfig(BaseModel):
    """The `[quality]` settings (all optional)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fetch_window_minutes: float = Field(default=5.0, ge=0)
    """How much later than its fetch a trade or snapshot may be stamped."""
    trades_max_lag_minutes: float = Field(default=60.0, gt=0)
    """Largest age of the newest trade per product."""
    prices_max_lag_minutes: float = Field(default=1500.0, gt=0)
    """Largest age of the newest CoinGecko observation per coin (a daily snapshot + slack)."""
    vwap_tolerance: float = Field(default=0.02, gt=0)
    """Largest relative gap between an hour's VWAP and CoinGecko's price that hour."""
    candles_tolerance: float = Field(default=0.01, ge=0)
    """Largest relative gap between an hour's candle volume and its trades' volume."""
    anomaly_deviations: float = Field(default=6.0, gt=0)
    """Robust deviations (scaled MAD) beyond which an hourly move is reported."""
    coins: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_COINS))
    """Coinbase base currency -> CoinGecko coin id."""
    modules: tuple[str, ...] = ()
    """Python modules whose `CHECKS` are added."""
    disabled: tuple[str, ...] = ()
    """Built-in checks to skip."""
    severity: dict[str, Severity] = Field(default_factory=dict)
    """Severity overrides by check name."""
    threshold: dict[str, float] = Field(default_factory=dict)
    """Threshold overrides by check name."""
    checks: tuple[UserCheck, ...] = ()
    """User checks."""


def parse_quality_config(data: dict[str, Any], where: str = "[quality]") -> QualityConfig:
    """Validate a `[quality]` table.

    Raises:
        ConfigError: one line naming the first bad entry.
    """
    try:
        return QualityConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ".".join(str(part) for part in error["loc"])
        raise ConfigError(f"invalid {where} setting {loc}: {error['msg']}") from exc


def load_quality_config(path: Path | None) -> QualityConfig:
    """The `[quality]` table of `path` (or of `[coinlake.quality]`); defaults when the file or
    the table is absent.

    Raises:
        ConfigError: the file is not valid TOML, or the table has a bad entry.
    """
    if path is None or not path.is_file():
        return QualityConfig()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    section = data.get("coinlake", data)
    table = section.get("quality", {}) if isinstance(section, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: [quality] must be a table")
    return parse_quality_config(table, f"{path}:[quality]")
