from pathlib import Path

import pytest

from coinlake.config import COINBASE_URL, load_settings
from coinlake.errors import ConfigError


def test_defaults_apply_when_nothing_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.lake == "./lake"
    assert settings.coinbase_url == COINBASE_URL
    assert settings.products == ("BTC-USD", "ETH-USD", "SOL-USD")
    assert settings.vs_currencies == ("usd", "eur")
    assert settings.s3_endpoint_url is None


def test_flags_beat_env_which_beats_the_file_which_beats_defaults(tmp_path: Path) -> None:
    config = tmp_path / "coinlake.toml"
    config.write_text('lake = "/from/file"\ncoins = ["bitcoin"]\nproducts = "ETH-USD"\n')
    env = {"COINLAKE_LAKE": "/from/env", "COINLAKE_PRODUCTS": "btc-usd, sol-usd"}
    settings = load_settings({"lake": "/from/flag"}, environ=env, config_file=config)
    assert settings.lake == "/from/flag"
    assert settings.products == ("BTC-USD", "SOL-USD")
    assert settings.coins == ("bitcoin",)
    without_flag = load_settings({"lake": None}, environ=env, config_file=config)
    assert without_flag.lake == "/from/env"


def test_the_config_file_can_use_a_coinlake_table(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[coinlake]\nvs_currencies = "USD,gbp"\n')
    assert load_settings(environ={}, config_file=config).vs_currencies == ("usd", "gbp")


def test_coinlake_config_env_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text('coins = "ethereum"\n')
    settings = load_settings(environ={"COINLAKE_CONFIG": str(config)})
    assert settings.coins == ("ethereum",)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"COINLAKE_PRODUCTS": "BTCUSD"}, "COINLAKE_PRODUCTS"),
        ({"COINLAKE_PRODUCTS": " , "}, "COINLAKE_PRODUCTS"),
        ({"COINLAKE_COINS": "Bit Coin"}, "COINLAKE_COINS"),
        ({"COINLAKE_VS_CURRENCIES": "us dollars"}, "COINLAKE_VS_CURRENCIES"),
        ({"COINLAKE_COINBASE_URL": "ftp://x"}, "COINLAKE_COINBASE_URL"),
        ({"COINLAKE_S3_ENDPOINT_URL": "localhost:5000"}, "COINLAKE_S3_ENDPOINT_URL"),
        ({"COINLAKE_LAKE": "s3://A_bad_bucket/x"}, "COINLAKE_LAKE"),
        ({"COINLAKE_LAKE": "gs://bucket"}, "COINLAKE_LAKE"),
        ({"COINLAKE_HTTP_TIMEOUT_S": "-1"}, "COINLAKE_HTTP_TIMEOUT_S"),
        ({"COINLAKE_ENGINE": "polars"}, "COINLAKE_ENGINE"),
        ({"COINLAKE_NO_SUCH_THING": "1"}, "COINLAKE_NO_SUCH_THING"),
    ],
    ids=lambda value: next(iter(value.values())) if isinstance(value, dict) else value,
)
def test_a_bad_setting_is_one_line_naming_it(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=env, config_file=None)
    message = str(caught.value)
    assert names in message
    assert "\n" not in message


def test_a_bad_flag_is_named_as_a_flag() -> None:
    with pytest.raises(ConfigError, match="--lake"):
        load_settings({"lake": "gs://nope"}, environ={})


def test_a_broken_config_file_is_one_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "coinlake.toml"
    config.write_text("lake = [unclosed\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(environ={}, config_file=config)
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(environ={}, config_file=tmp_path / "missing.toml")


def test_s3_lakes_are_recognised() -> None:
    settings = load_settings(environ={"COINLAKE_LAKE": "s3://my-lake/prefix/"})
    assert settings.lake == "s3://my-lake/prefix"
    assert settings.lake_is_s3


def test_the_api_key_never_shows_in_a_repr() -> None:
    settings = load_settings(environ={"COINLAKE_COINGECKO_API_KEY": "CG-secret-123"})
    assert "CG-secret-123" not in repr(settings)
    assert settings.coingecko_api_key is not None
    assert settings.coingecko_api_key.get_secret_value() == "CG-secret-123"
