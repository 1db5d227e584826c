"""Settings described from their docstrings: README table, effective values, origins, init file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from coinlake.config import Settings, load_settings, load_settings_with_origins
from coinlake.config_doc import HIDDEN, commented_toml, setting_rows, settings_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_table_lists_every_setting() -> None:
    table = settings_markdown()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert table in readme
    for name in Settings.model_fields:
        assert f"| `{name}` | `COINLAKE_{name.upper()}`" in table
    assert all(row.doc for row in setting_rows()), "a setting has no docstring"


def test_origins_say_flag_env_file_or_default(tmp_path: Path) -> None:
    config = tmp_path / "coinlake.toml"
    config.write_text('[coinlake]\ncoins = ["bitcoin"]\nproducts = "ETH-USD"\n')
    settings, origins = load_settings_with_origins(
        {"lake": "/data/lake"},
        environ={"COINLAKE_PRODUCTS": "BTC-USD", "COINLAKE_COINGECKO_API_KEY": "s3cr3t"},
        config_file=config,
    )
    rows = {row.name: row for row in setting_rows(settings, origins)}
    assert (rows["lake"].value, rows["lake"].origin) == ("/data/lake", "--lake")
    assert (rows["products"].value, rows["products"].origin) == ("BTC-USD", "COINLAKE_PRODUCTS")
    assert (rows["coins"].value, rows["coins"].origin) == ("bitcoin", f"{config}:coins")
    assert (rows["engine"].value, rows["engine"].origin) == ("duckdb", "default")
    assert rows["coingecko_api_key"].value == HIDDEN
    assert "s3cr3t" not in repr(rows)


def test_the_init_file_names_every_setting_and_reads_back_as_the_settings(tmp_path: Path) -> None:
    settings = Settings(lake="/srv/lake", products=("BTC-USD",))
    text = commented_toml(settings)
    for name in Settings.model_fields:
        assert f"{name} = " in text, name
    path = tmp_path / "coinlake.toml"
    path.write_text(text)
    assert tomllib.loads(text)["coinlake"]["lake"] == "/srv/lake"
    assert load_settings(environ={}, config_file=path) == settings
