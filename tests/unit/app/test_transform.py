"""`app.transform`: the engine comes from the settings, and a bad combination is one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinlake.app.transform import make_engine, transform
from coinlake.config import Settings
from coinlake.errors import ConfigError


def test_local_spark_on_an_s3_lake_is_refused_before_anything_is_opened() -> None:
    settings = Settings(lake="s3://bucket/lake", engine="spark")
    with pytest.raises(ConfigError, match=r"cannot reach S3; .*--engine duckdb.*Glue job"):
        transform(settings)


def test_an_unknown_engine_or_layer_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="choose duckdb or spark"):
        make_engine("polars")
    with pytest.raises(ConfigError, match="choose silver, gold or all"):
        transform(Settings(lake=str(tmp_path)), "bronze")  # type: ignore[arg-type]


def test_a_missing_lake_folder_is_refused_and_not_created(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"lake folder .* does not exist"):
        transform(Settings(lake=str(tmp_path / "lake"), engine="duckdb"))
    assert not (tmp_path / "lake").exists()


def test_an_empty_lake_transforms_to_nothing_on_the_configured_engine(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    summaries = transform(Settings(lake=str(tmp_path / "lake"), engine="duckdb"))
    assert [s.table for s in summaries][:3] == ["silver.candles", "silver.prices", "silver.trades"]
    assert not any(s.changed for s in summaries)
