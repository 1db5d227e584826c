"""The settings loader, the Bronze key builders and the CLI on hostile values: only coinlake's
own one-line errors; ids and paths with `..`, slashes, NUL, newlines, very long or look-alike
unicode are refused before any I/O."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinlake.bronze.keys import InvalidBronzeKeyError, parse_bronze_key
from coinlake.cli.main import run as cli_run
from coinlake.config import Settings, load_settings
from coinlake.errors import ConfigError
from coinlake.sources.coinbase.keys import candles_key, trades_page_key
from coinlake.sources.coingecko.keys import market_chart_range_key
from coinlake.storage.base import check_key

AT = datetime(2026, 11, 22, 10, tzinfo=UTC)
HOSTILE = [
    "..",
    "../BTC-USD",
    "BTC-USD/../../etc",
    "BTC/USD",
    "BTC-USD\x00",
    "BTC-USD\n",
    "\u0412TC-USD",  # Cyrillic capital Ve, looks like B
    "BTC\u2010USD",  # unicode hyphen
    "\uff22TC-USD",  # fullwidth B
    "b\u0131tc-usd",  # dotless i: upper() gives ASCII I
    "X" * 10_000,
    "",
    " ",
]
# Surrounding whitespace is trimmed from settings and flags on purpose: not hostile there.
TRIMMED = {"BTC-USD\n"}
SETTINGS = [name for name in Settings.model_fields if name != "coingecko_api_key"]


@pytest.mark.parametrize("product", HOSTILE, ids=repr)
def test_hostile_product_ids_are_refused_by_the_key_builders(product: str) -> None:
    with pytest.raises(InvalidBronzeKeyError):
        trades_page_key(product, AT, 1, 2)
    with pytest.raises(InvalidBronzeKeyError):
        candles_key(product, AT, AT, AT)


@pytest.mark.parametrize("coin", [h.lower() for h in HOSTILE], ids=repr)
def test_hostile_coin_ids_are_refused_by_the_key_builders(coin: str) -> None:
    with pytest.raises(InvalidBronzeKeyError):
        market_chart_range_key(coin, "usd", AT, AT, AT)


@given(product=st.text(max_size=30), coin=st.text(max_size=30))
def test_any_key_a_builder_accepts_is_a_safe_lake_key_that_parses_back(
    product: str, coin: str
) -> None:
    for build in (
        lambda: trades_page_key(product, AT, 5, 9),
        lambda: market_chart_range_key(coin, "usd", AT, AT, AT),
    ):
        try:
            key = build()
        except InvalidBronzeKeyError:
            continue
        assert check_key(key) == key and key.isascii() and key.isprintable()
        assert parse_bronze_key(key).source in ("coinbase", "coingecko")


@pytest.mark.parametrize("value", [h for h in HOSTILE if h not in TRIMMED], ids=repr)
@pytest.mark.parametrize("name", ["products", "coins", "vs_currencies"])
def test_hostile_ids_in_settings_are_one_line_config_errors(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={f"COINLAKE_{name.upper()}": value})
    assert "\n" not in str(caught.value) and name in str(caught.value)


@given(name=st.sampled_from(SETTINGS), value=st.text(max_size=40))
def test_any_environment_value_gives_settings_or_one_config_error(name: str, value: str) -> None:
    try:
        settings = load_settings(environ={f"COINLAKE_{name.upper()}": value})
    except ConfigError as exc:
        assert str(exc).startswith("invalid setting")
        return
    assert isinstance(settings, Settings)


@given(text=st.text(max_size=200))
def test_any_settings_file_gives_settings_or_one_config_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("cfg") / "coinlake.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_settings(environ={}, config_file=path)
    except ConfigError as exc:
        assert "\n" not in str(exc).strip()


def test_a_settings_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "coinlake.toml"
    path.write_bytes(b'lake = "\xff\xfe"\n')
    with pytest.raises(ConfigError):
        load_settings(environ={}, config_file=path)


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["coinlake", *args])
    with pytest.raises(SystemExit) as exited:
        cli_run()
    return int(exited.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(
    "product", [h for h in HOSTILE if h.strip() and "\x00" not in h and h not in TRIMMED], ids=repr
)
def test_hostile_product_flags_exit_2_with_one_line_before_any_io(
    product: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The API is a closed port: reaching it would be an I/O error (exit 1), not a usage error.
    monkeypatch.setenv("COINLAKE_COINBASE_URL", "http://127.0.0.1:9")
    lake = tmp_path / "lake"
    code, err = _cli(
        monkeypatch,
        capsys,
        "--lake",
        str(lake),
        "ingest",
        "--source",
        "coinbase",
        "--product",
        product,
    )
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    assert "Traceback" not in err and "unexpected" not in err
    assert not lake.exists()


@pytest.mark.parametrize("since", ["9" * 5000, "1" * 20], ids=["5000 digits", "20 digits"])
def test_a_since_id_longer_than_a_bigint_is_a_config_error(since: str) -> None:
    from coinlake.ingest.since import parse_since

    with pytest.raises(ConfigError, match="at most 19 digits"):
        parse_since(since)
