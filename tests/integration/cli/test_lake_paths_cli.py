"""A lake path that is missing or a file is one clear line, never a new empty lake."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.cli.test_entry_point import coinlake

pytestmark = pytest.mark.integration


def test_transform_on_a_missing_lake_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    done = coinlake("--lake", "nolake", "transform", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: lake folder nolake does not exist: check --lake")
    assert not (tmp_path / "nolake").exists()


@pytest.mark.parametrize(
    "command", [["status"], ["query", "SELECT 1"], ["transform"]], ids=lambda c: c[0]
)
def test_a_lake_path_that_is_a_file_says_so(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "lake.txt").write_text("not a lake\n")
    done = coinlake("--lake", "lake.txt", *command, cwd=tmp_path)
    assert done.returncode == 2
    assert "lake folder lake.txt is a file, not a folder" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
