"""A lake the process cannot write: `ingest` and `transform` end with one line and exit 2."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.integration.cli.test_entry_point import coinlake

pytestmark = pytest.mark.integration


@pytest.fixture
def read_only_lake(tmp_path: Path) -> Iterator[Path]:
    """A lake with a `_state/runs/<date>` folder (so the first write fails on the file itself,
    not on a folder) on a read-only tmpfs as root; as any other user, a folder without write
    permission."""
    disk = tmp_path / "disk"
    disk.mkdir()

    def mount(*args: str) -> bool:
        return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0

    mounted = os.geteuid() == 0 and mount("-t", "tmpfs", "-o", "size=1024k", "tmpfs", str(disk))
    if os.geteuid() == 0 and not mounted:
        pytest.skip("root without mount: no way to make a read-only folder here")
    lake = disk / "lake"
    today = datetime.now(UTC).date().isoformat()
    folders = [lake / f"_state/runs/{today}", lake / "_state/locks/transform", lake / "bronze"]
    for folder in folders:
        folder.mkdir(parents=True)
    try:
        if mounted:
            assert mount("-o", "remount,ro", str(disk))
        else:
            for folder in [*folders, *{f.parent for f in folders}, lake]:
                folder.chmod(0o555)
        yield lake
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True, check=False)
        else:
            for folder in lake.rglob("*"):
                folder.chmod(0o755)


@pytest.mark.parametrize("command", [["ingest", "--source", "coinbase"], ["transform", "all"]])
def test_a_read_only_lake_is_one_line_and_exit_2(
    read_only_lake: Path, tmp_path: Path, command: list[str]
) -> None:
    # the first write (the run record, a table's lease) fails before any trade is asked for
    env = {
        "COINLAKE_COINBASE_URL": "http://127.0.0.1:9",  # nothing listens: one warning, no data
        "COINLAKE_RETRY_ATTEMPTS": "1",
        "COINLAKE_PRODUCTS": "BTC-USD",
    }
    done = coinlake("--lake", str(read_only_lake), *command, cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and errors[0].startswith("error: cannot "), done.stderr
    assert str(read_only_lake) in errors[0]
    assert errors[0].endswith(("must be on a writable file system", "writable by this user"))
    assert "unexpected" not in done.stderr and "Traceback" not in done.stderr
