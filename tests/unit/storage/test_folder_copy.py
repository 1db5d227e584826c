"""`put_folder` and `get_files`: local files into the lake and lake objects into a folder (how
DuckDB works on an S3 lake), shown on a folder lake."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinlake.storage.base import InvalidKeyError, get_files, put_folder
from coinlake.storage.local import LocalStore


def test_a_folder_goes_up_under_a_prefix_and_comes_back_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "product_id=BTC-USD" / "date=2026-11-22").mkdir(parents=True)
    (out / "product_id=BTC-USD" / "date=2026-11-22" / "part-1.parquet").write_bytes(b"one")
    (out / "product_id=ETH-USD").mkdir()
    (out / "product_id=ETH-USD" / "part-2.parquet").write_bytes(b"two")
    store = LocalStore(tmp_path / "lake")

    keys = put_folder(store, out, "_staging/silver.trades/run/table/", workers=2)

    assert keys == [
        "_staging/silver.trades/run/table/product_id=BTC-USD/date=2026-11-22/part-1.parquet",
        "_staging/silver.trades/run/table/product_id=ETH-USD/part-2.parquet",
    ]
    cache = tmp_path / "cache"
    get_files(store, keys, cache, workers=2)
    assert (cache / keys[0]).read_bytes() == b"one"
    assert (cache / keys[1]).read_bytes() == b"two"
    assert not list(cache.rglob(".*"))  # no partial files left behind


def test_a_key_that_would_leave_the_cache_folder_is_refused(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "lake")
    with pytest.raises(InvalidKeyError):
        get_files(store, ["../outside.json"], tmp_path / "cache")
    assert not (tmp_path / "outside.json").exists()
