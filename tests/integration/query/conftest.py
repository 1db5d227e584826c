"""A small sample lake (Silver trades, Gold hourly, daily prices, quarantine) shared by a module."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinlake.query.sample import SampleLake, write_sample_lake


@pytest.fixture(scope="module")
def sample_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleLake]:
    root = tmp_path_factory.mktemp("lake")
    return root, write_sample_lake(root)
